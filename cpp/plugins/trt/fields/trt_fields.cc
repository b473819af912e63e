#include "cpp/plugins/trt/fields/trt_fields.h"

namespace awml::plugins {

nvinfer1::PluginFieldType ToTrtFieldType(FieldType type) {
  switch (type) {
    case FieldType::kInt32:
      return nvinfer1::PluginFieldType::kINT32;
    case FieldType::kFloat32:
      return nvinfer1::PluginFieldType::kFLOAT32;
    case FieldType::kOther:
      break;
  }
  return nvinfer1::PluginFieldType::kUNKNOWN;
}

std::vector<RawField> FromPluginFields(nvinfer1::PluginFieldCollection const* collection) {
  std::vector<RawField> raw;
  if (collection == nullptr) return raw;
  for (int32_t i = 0; i < collection->nbFields; ++i) {
    nvinfer1::PluginField const& field = collection->fields[i];
    FieldType type = FieldType::kOther;
    if (field.type == nvinfer1::PluginFieldType::kINT32) type = FieldType::kInt32;
    if (field.type == nvinfer1::PluginFieldType::kFLOAT32) type = FieldType::kFloat32;
    raw.push_back(RawField{field.name != nullptr ? field.name : "", type, field.data, field.length});
  }
  return raw;
}

std::vector<nvinfer1::PluginField> ToPluginFields(std::vector<RawField> const& raw) {
  std::vector<nvinfer1::PluginField> fields;
  for (RawField const& field : raw) {
    fields.emplace_back(field.name.c_str(), field.data, ToTrtFieldType(field.type), field.length);
  }
  return fields;
}

std::vector<nvinfer1::PluginField> FieldNamesOf(std::vector<FieldDef> const& table) {
  std::vector<nvinfer1::PluginField> fields;
  for (FieldDef const& def : table) fields.emplace_back(def.name, nullptr, ToTrtFieldType(def.type), def.length);
  return fields;
}

}  // namespace awml::plugins
