#include "cpp/plugins/trt/scatter/scatter_plugin.h"

#include <exception>
#include <string>

#include "cpp/plugins/kernels/scatter/scatter.h"
#include "cpp/plugins/trt/fields/trt_fields.h"
#include "cpp/plugins/trt/plugin_logger.h"

namespace awml::plugins {
namespace {

constexpr int32_t kNumInputs = 3;  // pillar_features, coords, pillar_count
constexpr int32_t kFeatures = 0;
constexpr int32_t kCoords = 1;
constexpr int32_t kCount = 2;

void LogException(char const* where, std::exception const& e) noexcept {
  LogPluginError(std::string(kScatterPluginName) + "::" + where + " | " + e.what());
}

// Rank/size checks on the (possibly dynamic: -1) build-time dims.
std::string CheckInputDims(nvinfer1::Dims const& features, nvinfer1::Dims const& coords, nvinfer1::Dims const& count) {
  std::string const subject = std::string(kScatterPluginName) + " | ";
  bool const features_ok = features.nbDims == 2 || (features.nbDims == 3 && (features.d[1] == 1 || features.d[1] < 0));
  if (!features_ok) return subject + "pillar_features must be [P, C] or [P, 1, C]";
  if (coords.nbDims != 2 || (coords.d[1] >= 0 && coords.d[1] != 3)) return subject + "coords must be [P, 3] (z, y, x)";
  if (features.d[0] >= 0 && coords.d[0] >= 0 && features.d[0] != coords.d[0]) {
    return subject + "pillar_features and coords disagree on P. Note: got " + std::to_string(features.d[0]) + " vs " +
           std::to_string(coords.d[0]);
  }
  int64_t count_elements = 1;
  for (int32_t i = 0; i < count.nbDims; ++i) count_elements *= count.d[i];
  if (count_elements != 1) return subject + "pillar_count must hold exactly one int32";
  return "";
}

}  // namespace

ScatterPlugin::ScatterPlugin(ScatterParams const& params) : params_(params) {}

ScatterPlugin::ScatterPlugin(ScatterPlugin const& other)
    : nvinfer1::IPluginV3(other),
      nvinfer1::IPluginV3OneCore(other),
      nvinfer1::IPluginV3OneBuild(other),
      nvinfer1::IPluginV3OneRuntime(other),
      params_(other.params_),
      max_pillars_(other.max_pillars_),
      num_channels_(other.num_channels_) {}

nvinfer1::IPluginCapability* ScatterPlugin::getCapabilityInterface(nvinfer1::PluginCapabilityType type) noexcept {
  switch (type) {
    case nvinfer1::PluginCapabilityType::kCORE:
      return static_cast<nvinfer1::IPluginV3OneCore*>(this);
    case nvinfer1::PluginCapabilityType::kBUILD:
      return static_cast<nvinfer1::IPluginV3OneBuild*>(this);
    case nvinfer1::PluginCapabilityType::kRUNTIME:
      return static_cast<nvinfer1::IPluginV3OneRuntime*>(this);
  }
  return nullptr;
}

nvinfer1::IPluginV3* ScatterPlugin::clone() noexcept {
  try {
    return new ScatterPlugin(*this);
  } catch (std::exception const& e) {
    LogException("clone", e);
  }
  return nullptr;
}

char const* ScatterPlugin::getPluginName() const noexcept { return kScatterPluginName; }
char const* ScatterPlugin::getPluginVersion() const noexcept { return kScatterPluginVersion; }
char const* ScatterPlugin::getPluginNamespace() const noexcept { return kScatterPluginNamespace; }

int32_t ScatterPlugin::getNbOutputs() const noexcept { return 1; }

int32_t ScatterPlugin::configurePlugin(nvinfer1::DynamicPluginTensorDesc const* in, int32_t nbInputs,
                                       nvinfer1::DynamicPluginTensorDesc const* /*out*/, int32_t nbOutputs) noexcept {
  try {
    if (nbInputs != kNumInputs || nbOutputs != 1) {
      LogPluginError(std::string(kScatterPluginName) + " | expects 3 inputs and 1 output. Note: got " +
                     std::to_string(nbInputs) + " and " + std::to_string(nbOutputs));
      return -1;
    }
    std::string const problem = CheckInputDims(in[kFeatures].desc.dims, in[kCoords].desc.dims, in[kCount].desc.dims);
    if (!problem.empty()) {
      LogPluginError(problem);
      return -1;
    }
    return 0;
  } catch (std::exception const& e) {
    LogException("configurePlugin", e);
  }
  return -1;
}

bool ScatterPlugin::supportsFormatCombination(int32_t pos, nvinfer1::DynamicPluginTensorDesc const* inOut,
                                              int32_t nbInputs, int32_t nbOutputs) noexcept {
  if (nbInputs != kNumInputs || nbOutputs != 1 || pos < 0 || pos >= kNumInputs + 1) return false;
  nvinfer1::PluginTensorDesc const& desc = inOut[pos].desc;
  if (desc.format != nvinfer1::TensorFormat::kLINEAR) return false;
  // The kernel reads fp32 features and int32 indices and writes an fp32 canvas.
  bool const is_index = pos == kCoords || pos == kCount;
  return desc.type == (is_index ? nvinfer1::DataType::kINT32 : nvinfer1::DataType::kFLOAT);
}

int32_t ScatterPlugin::getOutputDataTypes(nvinfer1::DataType* outputTypes, int32_t nbOutputs,
                                          nvinfer1::DataType const* inputTypes, int32_t nbInputs) const noexcept {
  if (nbOutputs != 1 || nbInputs != kNumInputs) return -1;
  if (inputTypes[kFeatures] != nvinfer1::DataType::kFLOAT) {
    LogPluginError(std::string(kScatterPluginName) + " | pillar_features must be float32 (cast before the plugin)");
    return -1;
  }
  outputTypes[0] = nvinfer1::DataType::kFLOAT;
  return 0;
}

int32_t ScatterPlugin::getOutputShapes(nvinfer1::DimsExprs const* inputs, int32_t nbInputs,
                                       nvinfer1::DimsExprs const* /*shapeInputs*/, int32_t /*nbShapeInputs*/,
                                       nvinfer1::DimsExprs* outputs, int32_t nbOutputs,
                                       nvinfer1::IExprBuilder& exprBuilder) noexcept {
  try {
    if (nbInputs != kNumInputs || nbOutputs != 1) return -1;
    nvinfer1::DimsExprs const& features = inputs[kFeatures];
    if (features.nbDims != 2 && features.nbDims != 3) return -1;
    outputs[0].nbDims = 4;
    outputs[0].d[0] = exprBuilder.constant(1);
    outputs[0].d[1] = features.d[features.nbDims - 1];
    outputs[0].d[2] = exprBuilder.constant(params_.grid_y);
    outputs[0].d[3] = exprBuilder.constant(params_.grid_x);
    return 0;
  } catch (std::exception const& e) {
    LogException("getOutputShapes", e);
  }
  return -1;
}

int32_t ScatterPlugin::onShapeChange(nvinfer1::PluginTensorDesc const* in, int32_t nbInputs,
                                     nvinfer1::PluginTensorDesc const* /*out*/, int32_t nbOutputs) noexcept {
  try {
    if (nbInputs != kNumInputs || nbOutputs != 1) return -1;
    nvinfer1::Dims const& features = in[kFeatures].dims;
    std::string const problem = CheckInputDims(features, in[kCoords].dims, in[kCount].dims);
    if (!problem.empty()) {
      LogPluginError(problem);
      return -1;
    }
    max_pillars_ = static_cast<int32_t>(features.d[0]);
    num_channels_ = static_cast<int32_t>(features.d[features.nbDims - 1]);
    return 0;
  } catch (std::exception const& e) {
    LogException("onShapeChange", e);
  }
  return -1;
}

int32_t ScatterPlugin::enqueue(nvinfer1::PluginTensorDesc const* /*inputDesc*/,
                               nvinfer1::PluginTensorDesc const* /*outputDesc*/, void const* const* inputs,
                               void* const* outputs, void* /*workspace*/, cudaStream_t stream) noexcept {
  try {
    kernels::ScatterConfig config;
    config.num_channels = num_channels_;
    config.grid_x = params_.grid_x;
    config.grid_y = params_.grid_y;
    config.max_pillars = max_pillars_;
    config.clear_canvas = true;  // TensorRT does not zero output buffers
    Status const status = kernels::ScatterCuda(
        config, static_cast<float const*>(inputs[kFeatures]), static_cast<int32_t const*>(inputs[kCoords]),
        static_cast<int32_t const*>(inputs[kCount]), static_cast<float*>(outputs[0]), stream);
    if (!status.ok()) {
      LogPluginError(std::string(kScatterPluginName) + "::enqueue | " + status.message());
      return -1;
    }
    return 0;
  } catch (std::exception const& e) {
    LogException("enqueue", e);
  }
  return -1;
}

nvinfer1::IPluginV3* ScatterPlugin::attachToContext(nvinfer1::IPluginResourceContext* /*context*/) noexcept {
  return clone();
}

nvinfer1::PluginFieldCollection const* ScatterPlugin::getFieldsToSerialize() noexcept {
  try {
    serialized_values_ = ScatterParamsToValues(params_);
    if (auto error = SerializeFields(ScatterFieldTable(), serialized_values_, serialized_raw_)) {
      LogPluginError(std::string(kScatterPluginName) + " | " + error->message);
      return nullptr;
    }
    serialized_fields_ = ToPluginFields(serialized_raw_);
    serialized_collection_.nbFields = static_cast<int32_t>(serialized_fields_.size());
    serialized_collection_.fields = serialized_fields_.data();
    return &serialized_collection_;
  } catch (std::exception const& e) {
    LogException("getFieldsToSerialize", e);
  }
  return nullptr;
}

}  // namespace awml::plugins
