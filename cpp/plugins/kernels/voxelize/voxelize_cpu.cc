// CPU reference voxeliser (deterministic: first appearance, input order).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "cpp/plugins/kernels/voxelize/cell_index.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"

namespace awml::kernels {
namespace {

constexpr int kMaxCellsPerAxis = 16384;
constexpr int kMaxPointFeatures = 8;

bool PositiveFinite(double v) { return std::isfinite(v) && v > 0.0; }

Status AxisCells(char const* axis, double lo, double hi, double voxel, float* lo_f, float* hi_f, float* voxel_f,
                 int* cells) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo) || !PositiveFinite(voxel)) {
    return InvalidArgumentError(std::string("pillar grid | axis ") + axis +
                                " needs finite min < max and voxel > 0. Note: got min " + std::to_string(lo) +
                                ", max " + std::to_string(hi) + ", voxel " + std::to_string(voxel));
  }
  *lo_f = static_cast<float>(lo);
  *hi_f = static_cast<float>(hi);
  *voxel_f = static_cast<float>(voxel);
  float const n = std::nearbyint((*hi_f - *lo_f) / *voxel_f);
  if (!(n >= 1.0f && n <= static_cast<float>(kMaxCellsPerAxis))) {
    return InvalidArgumentError(std::string("pillar grid | axis ") + axis + " has " + std::to_string(n) +
                                " cells. Note: expected 1.." + std::to_string(kMaxCellsPerAxis));
  }
  *cells = static_cast<int>(n);
  return OkStatus();
}

}  // namespace

Status ResolvePillarGrid(PillarGrid const& grid, PillarGridF* out) {
  PillarGridF g{};
  int nz = 0;
  Status s = AxisCells("x", grid.min_x, grid.max_x, grid.voxel_x, &g.min_x, &g.max_x, &g.voxel_x, &g.nx);
  if (!s.ok()) return s;
  s = AxisCells("y", grid.min_y, grid.max_y, grid.voxel_y, &g.min_y, &g.max_y, &g.voxel_y, &g.ny);
  if (!s.ok()) return s;
  s = AxisCells("z", grid.min_z, grid.max_z, grid.voxel_z, &g.min_z, &g.max_z, &g.voxel_z, &nz);
  if (!s.ok()) return s;
  if (nz != 1) {
    return InvalidArgumentError("pillar grid | z must hold exactly one cell (pillars). Note: got " +
                                std::to_string(nz) + " cells; set voxel_z = max_z - min_z");
  }
  g.offset_x = static_cast<float>(grid.voxel_x / 2.0 + grid.min_x);
  g.offset_y = static_cast<float>(grid.voxel_y / 2.0 + grid.min_y);
  g.offset_z = static_cast<float>(grid.voxel_z / 2.0 + grid.min_z);
  *out = g;
  return OkStatus();
}

Status ValidateVoxelizeConfig(VoxelizeConfig const& config, PillarGridF* grid) {
  if (config.num_point_features < 3 || config.num_point_features > kMaxPointFeatures) {
    return InvalidArgumentError("voxelize | num_point_features must be in 3.." + std::to_string(kMaxPointFeatures) +
                                ". Note: got " + std::to_string(config.num_point_features));
  }
  if (config.max_points_per_pillar < 1 || config.max_points_per_pillar > 1024) {
    return InvalidArgumentError("voxelize | max_points_per_pillar must be in 1..1024. Note: got " +
                                std::to_string(config.max_points_per_pillar));
  }
  if (config.max_pillars < 1 || config.max_pillars > (1 << 24)) {
    return InvalidArgumentError("voxelize | max_pillars must be in 1..16777216. Note: got " +
                                std::to_string(config.max_pillars));
  }
  if (config.mode != VoxelizeMode::kDeterministic && config.mode != VoxelizeMode::kFast) {
    return InvalidArgumentError("voxelize | unknown mode. Note: expected kDeterministic or kFast");
  }
  return ResolvePillarGrid(config.grid, grid);
}

Status VoxelizeCpu(VoxelizeConfig const& config, float const* points, int64_t num_points, VoxelizeOutputs const& out) {
  PillarGridF g{};
  Status s = ValidateVoxelizeConfig(config, &g);
  if (!s.ok()) return s;
  if (num_points < 0 || num_points > (int64_t{1} << 31) - 1) {
    return InvalidArgumentError("voxelize | num_points must be in 0..2^31-1. Note: got " + std::to_string(num_points));
  }
  if ((num_points > 0 && points == nullptr) || out.pillar_points == nullptr || out.points_per_pillar == nullptr ||
      out.coords == nullptr || out.counters == nullptr) {
    return InvalidArgumentError(
        "voxelize | a required pointer is null (points, pillar_points, "
        "points_per_pillar, coords, counters)");
  }
  int const f = config.num_point_features;
  int const max_pts = config.max_points_per_pillar;
  constexpr int32_t kNoPillar = -1;
  constexpr int32_t kDropped = -2;
  std::vector<int32_t> cell_to_pillar(static_cast<size_t>(g.nx) * g.ny, kNoPillar);
  int32_t counters[kNumVoxelizeCounters] = {0, 0, 0, 0, 0};
  int32_t& pillar_count = counters[kPillarCount];

  for (int64_t i = 0; i < num_points; ++i) {
    float const* p = points + i * f;
    int const cell = PointCell(g, p[0], p[1], p[2]);
    if (cell < 0) {
      ++counters[kPointsOutOfRange];
      continue;
    }
    int32_t pid = cell_to_pillar[cell];
    if (pid == kNoPillar) {
      if (pillar_count < config.max_pillars) {
        pid = pillar_count++;
        CellCoords(g.nx, cell, out.coords + 3 * pid);
        out.points_per_pillar[pid] = 0;
      } else {
        pid = kDropped;
        ++counters[kPillarsDropped];
      }
      cell_to_pillar[cell] = pid;
    }
    if (pid == kDropped) {
      ++counters[kPointsDroppedNoPillar];
      continue;
    }
    int32_t const slot = out.points_per_pillar[pid];
    if (slot >= max_pts) {
      ++counters[kPointsDroppedPillarFull];
      continue;
    }
    std::memcpy(out.pillar_points + (static_cast<int64_t>(pid) * max_pts + slot) * f, p, sizeof(float) * f);
    out.points_per_pillar[pid] = slot + 1;
  }
  for (int32_t pid = 0; pid < pillar_count; ++pid) {
    int32_t const n = out.points_per_pillar[pid];
    float* row = out.pillar_points + static_cast<int64_t>(pid) * max_pts * f;
    std::fill(row + static_cast<int64_t>(n) * f, row + static_cast<int64_t>(max_pts) * f, 0.0f);
  }
  std::memcpy(out.counters, counters, sizeof(counters));
  return OkStatus();
}

}  // namespace awml::kernels
