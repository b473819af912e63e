// PluginFieldCollection <-> RawField, the only TensorRT-aware piece of the field table.
#ifndef AWML_CPP_PLUGINS_TRT_FIELDS_TRT_FIELDS_H_
#define AWML_CPP_PLUGINS_TRT_FIELDS_TRT_FIELDS_H_

#include <NvInferRuntime.h>

#include <vector>

#include "cpp/plugins/trt/fields/plugin_fields.h"

namespace awml::plugins {

nvinfer1::PluginFieldType ToTrtFieldType(FieldType type);
std::vector<RawField> FromPluginFields(nvinfer1::PluginFieldCollection const* collection);
//! PluginFields pointing at the data of `raw` (which must outlive the result).
std::vector<nvinfer1::PluginField> ToPluginFields(std::vector<RawField> const& raw);
//! Name-only entries (data nullptr) describing the table, for IPluginCreatorV3One::getFieldNames.
std::vector<nvinfer1::PluginField> FieldNamesOf(std::vector<FieldDef> const& table);

}  // namespace awml::plugins

#endif  // AWML_CPP_PLUGINS_TRT_FIELDS_TRT_FIELDS_H_
