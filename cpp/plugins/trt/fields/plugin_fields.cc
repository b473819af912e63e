#include "cpp/plugins/trt/fields/plugin_fields.h"

#include <set>

namespace awml::plugins {
namespace {

FieldDef const* FindDef(std::vector<FieldDef> const& table, std::string const& name) {
  for (FieldDef const& def : table) {
    if (name == def.name) return &def;
  }
  return nullptr;
}

std::string TableNames(std::vector<FieldDef> const& table) {
  std::string out;
  for (FieldDef const& def : table) out += (out.empty() ? "" : ", ") + std::string(def.name);
  return "[" + out + "]";
}

void Store(FieldDef const& def, void const* data, FieldValues& values) {
  if (def.type == FieldType::kInt32) {
    auto const* begin = static_cast<int32_t const*>(data);
    values.SetInt32(def.name, std::vector<int32_t>(begin, begin + def.length));
  } else {
    auto const* begin = static_cast<float const*>(data);
    values.SetFloat32(def.name, std::vector<float>(begin, begin + def.length));
  }
}

void StoreDefault(FieldDef const& def, FieldValues& values) {
  if (def.type == FieldType::kInt32) {
    std::vector<int32_t> ints;
    for (double v : def.default_value) ints.push_back(static_cast<int32_t>(v));
    values.SetInt32(def.name, ints);
  } else {
    std::vector<float> floats;
    for (double v : def.default_value) floats.push_back(static_cast<float>(v));
    values.SetFloat32(def.name, floats);
  }
}

}  // namespace

char const* FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kInt32:
      return "int32";
    case FieldType::kFloat32:
      return "float32";
    case FieldType::kOther:
      return "unsupported type";
  }
  return "?";
}

std::vector<int32_t> const* FieldValues::Int32(std::string const& name) const {
  auto it = ints_.find(name);
  return it == ints_.end() ? nullptr : &it->second;
}

std::vector<float> const* FieldValues::Float32(std::string const& name) const {
  auto it = floats_.find(name);
  return it == floats_.end() ? nullptr : &it->second;
}

ParseResult ParseFields(char const* plugin, std::vector<FieldDef> const& table, std::vector<RawField> const& raw) {
  std::string const subject = std::string(plugin) + " | ";
  auto fail = [](std::string message) { return ParseResult{std::nullopt, FieldError{std::move(message)}}; };
  FieldValues values;
  std::set<std::string> seen;
  for (RawField const& field : raw) {
    FieldDef const* def = FindDef(table, field.name);
    if (def == nullptr) {
      return fail(subject + "unknown field '" + field.name + "'. Note: expected one of " + TableNames(table));
    }
    if (!seen.insert(field.name).second) return fail(subject + "field '" + field.name + "' given twice");
    if (field.type != def->type) {
      return fail(subject + "field '" + field.name + "' has the wrong type. Note: expected " +
                  FieldTypeName(def->type) + ", got " + FieldTypeName(field.type));
    }
    if (field.length != def->length || field.data == nullptr) {
      return fail(subject + "field '" + field.name + "' has the wrong length. Note: expected " +
                  std::to_string(def->length) + ", got " + std::to_string(field.data == nullptr ? 0 : field.length));
    }
    Store(*def, field.data, values);
  }
  for (FieldDef const& def : table) {
    if (seen.count(def.name) != 0) continue;
    if (def.default_value.empty()) {
      return fail(subject + "required field '" + std::string(def.name) + "' is missing. Note: expected " +
                  std::to_string(def.length) + " x " + FieldTypeName(def.type));
    }
    StoreDefault(def, values);
  }
  return ParseResult{std::move(values), std::nullopt};
}

std::optional<FieldError> SerializeFields(std::vector<FieldDef> const& table, FieldValues const& values,
                                          std::vector<RawField>& out) {
  out.clear();
  for (FieldDef const& def : table) {
    void const* data = nullptr;
    std::size_t size = 0;
    if (def.type == FieldType::kInt32 && values.Int32(def.name) != nullptr) {
      data = values.Int32(def.name)->data();
      size = values.Int32(def.name)->size();
    } else if (def.type == FieldType::kFloat32 && values.Float32(def.name) != nullptr) {
      data = values.Float32(def.name)->data();
      size = values.Float32(def.name)->size();
    }
    if (data == nullptr || size != static_cast<std::size_t>(def.length)) {
      out.clear();
      return FieldError{"serialize | field '" + std::string(def.name) + "' is missing or not " +
                        std::to_string(def.length) + " x " + FieldTypeName(def.type)};
    }
    out.push_back(RawField{def.name, def.type, data, def.length});
  }
  return std::nullopt;
}

}  // namespace awml::plugins
