#include "cpp/plugins/trt/scatter/scatter_creator.h"

#include <exception>
#include <string>

#include "cpp/plugins/trt/fields/trt_fields.h"
#include "cpp/plugins/trt/plugin_logger.h"
#include "cpp/plugins/trt/scatter/scatter_fields.h"
#include "cpp/plugins/trt/scatter/scatter_plugin.h"

namespace awml::plugins {

ScatterPluginCreator::ScatterPluginCreator() : field_names_(FieldNamesOf(ScatterFieldTable())) {
  field_collection_.nbFields = static_cast<int32_t>(field_names_.size());
  field_collection_.fields = field_names_.data();
}

nvinfer1::IPluginV3* ScatterPluginCreator::createPlugin(nvinfer1::AsciiChar const* name,
                                                        nvinfer1::PluginFieldCollection const* fc,
                                                        nvinfer1::TensorRTPhase /*phase*/) noexcept {
  try {
    // Same parsing for both phases: the serialized fields are exactly the build-time fields.
    ScatterParamsResult const parsed = ScatterParamsFromFields(FromPluginFields(fc));
    if (parsed.error) {
      LogPluginError(parsed.error->message + " (node '" + (name != nullptr ? name : "?") + "')");
      return nullptr;
    }
    return new ScatterPlugin(*parsed.params);
  } catch (std::exception const& e) {
    LogPluginError(std::string(kScatterPluginName) + "::createPlugin | " + e.what());
  }
  return nullptr;
}

nvinfer1::PluginFieldCollection const* ScatterPluginCreator::getFieldNames() noexcept { return &field_collection_; }
nvinfer1::AsciiChar const* ScatterPluginCreator::getPluginName() const noexcept { return kScatterPluginName; }
nvinfer1::AsciiChar const* ScatterPluginCreator::getPluginVersion() const noexcept { return kScatterPluginVersion; }
nvinfer1::AsciiChar const* ScatterPluginCreator::getPluginNamespace() const noexcept { return kScatterPluginNamespace; }

}  // namespace awml::plugins
