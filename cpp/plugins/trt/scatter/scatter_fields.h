// The AwmlPillarScatter plugin's identity and its one field table (TensorRT-free, unit tested).
//
//   field   type   length  default  meaning
//   grid_x  int32  1       required canvas width W (BEV cells along x)
//   grid_y  int32  1       required canvas height H (BEV cells along y)
//
// Inputs: pillar_features float32 [P, C] or [P, 1, C]; coords int32 [P, 3] as (z, y, x);
// pillar_count int32 [1] (clamped to P on the device). Output: canvas float32 [1, C, H, W], zeroed
// then filled. Changing the table bumps kScatterPluginVersion; the old version stays loadable until
// removed on purpose.
#ifndef AWML_CPP_PLUGINS_TRT_SCATTER_SCATTER_FIELDS_H_
#define AWML_CPP_PLUGINS_TRT_SCATTER_SCATTER_FIELDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpp/plugins/trt/fields/plugin_fields.h"

namespace awml::plugins {

inline constexpr char kScatterPluginName[] = "AwmlPillarScatter";
inline constexpr char kScatterPluginVersion[] = "1";
//! Empty on purpose: the ONNX parser's fallback importer resolves custom ops in the default namespace.
inline constexpr char kScatterPluginNamespace[] = "";

struct ScatterParams {
  int32_t grid_x = 0;
  int32_t grid_y = 0;
};

std::vector<FieldDef> const& ScatterFieldTable();

//! Exactly one of `params` and `error` is set.
struct ScatterParamsResult {
  std::optional<ScatterParams> params;
  std::optional<FieldError> error;
};

//! Parses TensorRT's fields (build or runtime phase) into params, validating grid sizes (1..16384).
[[nodiscard]] ScatterParamsResult ScatterParamsFromFields(std::vector<RawField> const& raw);
FieldValues ScatterParamsToValues(ScatterParams const& params);

}  // namespace awml::plugins

#endif  // AWML_CPP_PLUGINS_TRT_SCATTER_SCATTER_FIELDS_H_
