// AwmlPillarScatter as an IPluginV3 (OneCore + OneBuild + OneRuntime). Glue only: shapes, types and
// serialisation here; the work is the kernels' ScatterCuda launcher. See scatter_fields.h for the I/O.
#ifndef AWML_CPP_PLUGINS_TRT_SCATTER_SCATTER_PLUGIN_H_
#define AWML_CPP_PLUGINS_TRT_SCATTER_SCATTER_PLUGIN_H_

#include <NvInferRuntime.h>

#include <vector>

#include "cpp/plugins/trt/fields/plugin_fields.h"
#include "cpp/plugins/trt/scatter/scatter_fields.h"

namespace awml::plugins {

class ScatterPlugin final : public nvinfer1::IPluginV3,
                            public nvinfer1::IPluginV3OneCore,
                            public nvinfer1::IPluginV3OneBuild,
                            public nvinfer1::IPluginV3OneRuntime {
 public:
  explicit ScatterPlugin(ScatterParams const& params);
  ScatterPlugin(ScatterPlugin const& other);
  ScatterPlugin& operator=(ScatterPlugin const&) = delete;
  ~ScatterPlugin() override = default;

  // IPluginV3
  nvinfer1::IPluginCapability* getCapabilityInterface(nvinfer1::PluginCapabilityType type) noexcept override;
  nvinfer1::IPluginV3* clone() noexcept override;

  // IPluginV3OneCore
  char const* getPluginName() const noexcept override;
  char const* getPluginVersion() const noexcept override;
  char const* getPluginNamespace() const noexcept override;

  // IPluginV3OneBuild
  int32_t getNbOutputs() const noexcept override;
  int32_t configurePlugin(nvinfer1::DynamicPluginTensorDesc const* in, int32_t nbInputs,
                          nvinfer1::DynamicPluginTensorDesc const* out, int32_t nbOutputs) noexcept override;
  bool supportsFormatCombination(int32_t pos, nvinfer1::DynamicPluginTensorDesc const* inOut, int32_t nbInputs,
                                 int32_t nbOutputs) noexcept override;
  int32_t getOutputDataTypes(nvinfer1::DataType* outputTypes, int32_t nbOutputs, nvinfer1::DataType const* inputTypes,
                             int32_t nbInputs) const noexcept override;
  int32_t getOutputShapes(nvinfer1::DimsExprs const* inputs, int32_t nbInputs, nvinfer1::DimsExprs const* shapeInputs,
                          int32_t nbShapeInputs, nvinfer1::DimsExprs* outputs, int32_t nbOutputs,
                          nvinfer1::IExprBuilder& exprBuilder) noexcept override;

  // IPluginV3OneRuntime
  int32_t onShapeChange(nvinfer1::PluginTensorDesc const* in, int32_t nbInputs, nvinfer1::PluginTensorDesc const* out,
                        int32_t nbOutputs) noexcept override;
  int32_t enqueue(nvinfer1::PluginTensorDesc const* inputDesc, nvinfer1::PluginTensorDesc const* outputDesc,
                  void const* const* inputs, void* const* outputs, void* workspace,
                  cudaStream_t stream) noexcept override;
  nvinfer1::IPluginV3* attachToContext(nvinfer1::IPluginResourceContext* context) noexcept override;
  nvinfer1::PluginFieldCollection const* getFieldsToSerialize() noexcept override;

 private:
  ScatterParams params_;
  // Runtime state cached by onShapeChange.
  int32_t max_pillars_ = 0;
  int32_t num_channels_ = 0;
  // Serialisation storage: values -> raw fields -> TensorRT fields -> collection.
  FieldValues serialized_values_;
  std::vector<RawField> serialized_raw_;
  std::vector<nvinfer1::PluginField> serialized_fields_;
  nvinfer1::PluginFieldCollection serialized_collection_{};
};

}  // namespace awml::plugins

#endif  // AWML_CPP_PLUGINS_TRT_SCATTER_SCATTER_PLUGIN_H_
