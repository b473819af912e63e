#include "cpp/plugins/trt/scatter/scatter_fields.h"

namespace awml::plugins {
namespace {

constexpr int32_t kMaxGrid = 16384;  // the scatter kernel's limit (ValidateScatterConfig)

}  // namespace

std::vector<FieldDef> const& ScatterFieldTable() {
  static std::vector<FieldDef> const table = {
      {"grid_x", FieldType::kInt32, 1, {}},
      {"grid_y", FieldType::kInt32, 1, {}},
  };
  return table;
}

ScatterParamsResult ScatterParamsFromFields(std::vector<RawField> const& raw) {
  ParseResult parsed = ParseFields(kScatterPluginName, ScatterFieldTable(), raw);
  if (parsed.error) return {std::nullopt, parsed.error};
  ScatterParams params;
  params.grid_x = parsed.values->Int32("grid_x")->at(0);
  params.grid_y = parsed.values->Int32("grid_y")->at(0);
  if (params.grid_x < 1 || params.grid_y < 1 || params.grid_x > kMaxGrid || params.grid_y > kMaxGrid) {
    return {std::nullopt, FieldError{std::string(kScatterPluginName) + " | grid_x and grid_y must be in 1.." +
                                     std::to_string(kMaxGrid) + ". Note: got " + std::to_string(params.grid_x) + " x " +
                                     std::to_string(params.grid_y)}};
  }
  return {params, std::nullopt};
}

FieldValues ScatterParamsToValues(ScatterParams const& params) {
  FieldValues values;
  values.SetInt32("grid_x", {params.grid_x});
  values.SetInt32("grid_y", {params.grid_y});
  return values;
}

}  // namespace awml::plugins
