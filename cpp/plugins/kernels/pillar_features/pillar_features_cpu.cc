// CPU reference for the PointPillars feature decoration.
#include <algorithm>
#include <string>

#include "cpp/plugins/kernels/pillar_features/decorate.h"
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"

namespace awml::kernels {

int PillarFeatureCount(PillarFeaturesConfig const& config) {
  return config.num_point_features + 3 + (config.use_voxel_center_z ? 3 : 2);
}

Status ValidatePillarFeaturesConfig(PillarFeaturesConfig const& config, PillarGridF* grid) {
  VoxelizeConfig v;
  v.grid = config.grid;
  v.num_point_features = config.num_point_features;
  v.max_points_per_pillar = config.max_points_per_pillar;
  v.max_pillars = config.max_pillars;
  Status s = ValidateVoxelizeConfig(v, grid);
  if (!s.ok()) return InvalidArgumentError("pillar features | " + s.message());
  return OkStatus();
}

Status PillarFeaturesCpu(PillarFeaturesConfig const& config, float const* pillar_points,
                         int32_t const* points_per_pillar, int32_t const* coords, int32_t const* pillar_count,
                         float* features) {
  PillarGridF g{};
  Status s = ValidatePillarFeaturesConfig(config, &g);
  if (!s.ok()) return s;
  if (pillar_points == nullptr || points_per_pillar == nullptr || coords == nullptr || pillar_count == nullptr ||
      features == nullptr) {
    return InvalidArgumentError("pillar features | a required pointer is null");
  }
  int const f = config.num_point_features;
  int const max_pts = config.max_points_per_pillar;
  int const out_f = PillarFeatureCount(config);
  int32_t const count = std::clamp(*pillar_count, 0, config.max_pillars);
  for (int32_t p = 0; p < count; ++p) {
    float const* pts = pillar_points + static_cast<int64_t>(p) * max_pts * f;
    int const n = std::clamp(points_per_pillar[p], 0, max_pts);
    decorate::PillarFrame const fr = decorate::MakeFrame(g, pts, n, f, coords + 3 * p);
    float* out = features + static_cast<int64_t>(p) * max_pts * out_f;
    for (int k = 0; k < n; ++k) decorate::DecoratePoint(fr, pts + k * f, f, config.use_voxel_center_z, out + k * out_f);
    std::fill(out + static_cast<int64_t>(n) * out_f, out + static_cast<int64_t>(max_pts) * out_f, 0.0f);
  }
  return OkStatus();
}

}  // namespace awml::kernels
