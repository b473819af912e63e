// A TensorRT-free plugin field table: one declaration per plugin (name, type, length, default) drives
// the creator's getFieldNames, createPlugin parsing and the plugin's getFieldsToSerialize, so build-time
// and serialized fields cannot drift. Unknown, duplicated, mistyped or wrongly sized fields are errors.
#ifndef AWML_CPP_PLUGINS_TRT_FIELDS_PLUGIN_FIELDS_H_
#define AWML_CPP_PLUGINS_TRT_FIELDS_PLUGIN_FIELDS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace awml::plugins {

//! The field types our plugins use; the TensorRT glue maps them to PluginFieldType kINT32 / kFLOAT32.
//! kOther stands for any TensorRT field type we do not accept.
enum class FieldType { kInt32, kFloat32, kOther };

char const* FieldTypeName(FieldType type);

struct FieldDef {
  char const* name;
  FieldType type;
  int32_t length;
  std::vector<double> default_value;  //!< empty = required
};

//! One incoming field as TensorRT hands it over (a name, a type, a pointer to `length` elements).
struct RawField {
  std::string name;
  FieldType type = FieldType::kOther;
  void const* data = nullptr;
  int32_t length = 0;
};

//! Parsed values by name; storage type equals the declared type (int32_t or float).
class FieldValues {
 public:
  void SetInt32(std::string const& name, std::vector<int32_t> values) { ints_[name] = std::move(values); }
  void SetFloat32(std::string const& name, std::vector<float> values) { floats_[name] = std::move(values); }
  //! nullptr when absent or of the other type.
  std::vector<int32_t> const* Int32(std::string const& name) const;
  std::vector<float> const* Float32(std::string const& name) const;

 private:
  std::map<std::string, std::vector<int32_t>> ints_;
  std::map<std::string, std::vector<float>> floats_;
};

struct FieldError {
  std::string message;  //!< "<plugin> | <problem>. Note: expected ..., got ..."
};

//! Exactly one of `values` and `error` is set.
struct ParseResult {
  std::optional<FieldValues> values;
  std::optional<FieldError> error;
};

//! Parses `raw` against `table`: applies defaults, rejects unknown names, duplicates, type or length
//! mismatches and missing required fields.
[[nodiscard]] ParseResult ParseFields(char const* plugin, std::vector<FieldDef> const& table,
                                      std::vector<RawField> const& raw);

//! The fields to serialise, in table order, pointing into `values` (which must outlive `out`). Returns
//! an error (and leaves `out` empty) if a table field is absent from `values` or has another type/length.
[[nodiscard]] std::optional<FieldError> SerializeFields(std::vector<FieldDef> const& table, FieldValues const& values,
                                                        std::vector<RawField>& out);

}  // namespace awml::plugins

#endif  // AWML_CPP_PLUGINS_TRT_FIELDS_PLUGIN_FIELDS_H_
