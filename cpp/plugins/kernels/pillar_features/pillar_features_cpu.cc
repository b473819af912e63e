// CPU reference for the PointPillars feature decoration.
#include <algorithm>
#include <string>

#include "cpp/plugins/kernels/pillar_features/decorate.h"
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"

namespace awml::kernels {

int PillarFeatureCount(const PillarFeaturesConfig& config) {
  return config.num_point_features + 3 + (config.use_voxel_center_z ? 3 : 2);
}

Status ValidatePillarFeaturesConfig(const PillarFeaturesConfig& config, PillarGridF* grid) {
  VoxelizeConfig v;
  v.grid = config.grid;
  v.num_point_features = config.num_point_features;
  v.max_points_per_pillar = config.max_points_per_pillar;
  v.max_pillars = config.max_pillars;
  Status s = ValidateVoxelizeConfig(v, grid);
  if (!s.ok()) return InvalidArgumentError("pillar features | " + s.message());
  return OkStatus();
}

Status PillarFeaturesCpu(const PillarFeaturesConfig& config, const float* pillar_points,
                         const int32_t* points_per_pillar, const int32_t* coords, const int32_t* pillar_count,
                         float* features) {
  PillarGridF g{};
  Status s = ValidatePillarFeaturesConfig(config, &g);
  if (!s.ok()) return s;
  if (pillar_points == nullptr || points_per_pillar == nullptr || coords == nullptr || pillar_count == nullptr ||
      features == nullptr) {
    return InvalidArgumentError("pillar features | a required pointer is null");
  }
  const int f = config.num_point_features;
  const int max_pts = config.max_points_per_pillar;
  const int out_f = PillarFeatureCount(config);
  const int32_t count = std::clamp(*pillar_count, 0, config.max_pillars);
  for (int32_t p = 0; p < count; ++p) {
    const float* pts = pillar_points + static_cast<int64_t>(p) * max_pts * f;
    const int n = std::clamp(points_per_pillar[p], 0, max_pts);
    const decorate::PillarFrame fr = decorate::MakeFrame(g, pts, n, f, coords + 3 * p);
    float* out = features + static_cast<int64_t>(p) * max_pts * out_f;
    for (int k = 0; k < n; ++k) decorate::DecoratePoint(fr, pts + k * f, f, config.use_voxel_center_z, out + k * out_f);
    std::fill(out + static_cast<int64_t>(n) * out_f, out + static_cast<int64_t>(max_pts) * out_f, 0.0f);
  }
  return OkStatus();
}

}  // namespace awml::kernels
