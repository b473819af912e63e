// IPluginCreatorV3One for AwmlPillarScatter: getFieldNames and createPlugin both come from the one
// field table in scatter_fields.h; build (kBUILD) and deserialisation (kRUNTIME) parse the same fields.
#ifndef AWML_CPP_PLUGINS_TRT_SCATTER_SCATTER_CREATOR_H_
#define AWML_CPP_PLUGINS_TRT_SCATTER_SCATTER_CREATOR_H_

#include <NvInferRuntime.h>

#include <vector>

namespace awml::plugins {

class ScatterPluginCreator final : public nvinfer1::IPluginCreatorV3One {
 public:
  ScatterPluginCreator();

  nvinfer1::IPluginV3* createPlugin(nvinfer1::AsciiChar const* name, nvinfer1::PluginFieldCollection const* fc,
                                    nvinfer1::TensorRTPhase phase) noexcept override;
  nvinfer1::PluginFieldCollection const* getFieldNames() noexcept override;
  nvinfer1::AsciiChar const* getPluginName() const noexcept override;
  nvinfer1::AsciiChar const* getPluginVersion() const noexcept override;
  nvinfer1::AsciiChar const* getPluginNamespace() const noexcept override;

 private:
  std::vector<nvinfer1::PluginField> field_names_;
  nvinfer1::PluginFieldCollection field_collection_{};
};

}  // namespace awml::plugins

#endif  // AWML_CPP_PLUGINS_TRT_SCATTER_SCATTER_CREATOR_H_
