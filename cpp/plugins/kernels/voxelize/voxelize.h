// Point cloud -> pillars (PointPillars / CenterPoint voxelisation), TensorRT-free launcher API.
//
// Contract (shared by the CPU and CUDA implementations):
// * A point is kept when min <= x < max, min <= y < max and min <= z < max (half-open, float32).
//   NaN and +-Inf fail this test and are counted as out of range.
// * Cell index: ix = floor((x - min_x) / voxel_x) in float32, clamped to [0, nx - 1] (a float just below
//   max_x can round to nx; Autoware clamps it too). Same for y. The grid has exactly one z cell.
// * A pillar keeps at most max_points_per_pillar points and at most max_pillars pillars are created.
//   Nothing wraps and nothing is written out of bounds; every dropped point or pillar is counted.
// * kDeterministic (CPU always, CUDA on request): pillars are numbered by the first appearance of their
//   cell in the input and keep their first points in input order. This is mmcv's hard Voxelization
//   (CPU, deterministic) except at the far edge, where mmcv drops points that we clamp.
// * kFast (CUDA only; the CPU treats it as kDeterministic): pillar numbers and which points survive in
//   an overfull pillar follow atomic arrival order. Pillar count, coordinates set and per-pillar counts
//   are the same as in kDeterministic whenever nothing overflows.
// * Rows p < pillar_count of every output are fully written (point slots >= points_per_pillar[p] are
//   zero unless zero_unused_slots is false, when they are left as they were: the feature decoration never reads
//   them). Rows >= pillar_count are left untouched.
// * The CUDA kFast path is one cooperative launch (its phases separated by grid-wide barriers); kDeterministic
//   sorts with CUB. Neither synchronises with the host nor allocates.
#ifndef AWML_CPP_PLUGINS_KERNELS_VOXELIZE_VOXELIZE_H_
#define AWML_CPP_PLUGINS_KERNELS_VOXELIZE_VOXELIZE_H_

#include <cstddef>
#include <cstdint>

#include "cpp/common/status.h"
#include "cpp/common/stream_handle.h"

namespace awml::kernels {

// Point-cloud range and voxel size as written in a model config (Python floats, hence double).
struct PillarGrid {
  double min_x = -76.8, min_y = -76.8, min_z = -4.0;
  double max_x = 76.8, max_y = 76.8, max_z = 6.0;
  double voxel_x = 0.32, voxel_y = 0.32, voxel_z = 10.0;
};

// The float32 values every kernel computes with, derived once from a PillarGrid.
struct PillarGridF {
  float min_x, min_y, min_z, max_x, max_y, max_z;
  float voxel_x, voxel_y, voxel_z;
  float offset_x, offset_y, offset_z;  // voxel / 2 + min, rounded from double as mmdet3d does
  int nx, ny;                          // grid size, round((max - min) / voxel) in float32 as mmcv does
};

// Validates `grid` (positive voxels, max > min, one z cell, at most 16384 cells per axis).
[[nodiscard]] Status ResolvePillarGrid(PillarGrid const& grid, PillarGridF* out);

enum class VoxelizeMode { kDeterministic = 0, kFast = 1 };

struct VoxelizeConfig {
  PillarGrid grid;
  int num_point_features = 4;  // F: x, y, z plus 1..5 extra features
  int max_points_per_pillar = 32;
  int max_pillars = 40000;
  VoxelizeMode mode = VoxelizeMode::kDeterministic;
  bool zero_unused_slots = true;  // false: skip zeroing pillar_points slots >= points_per_pillar (CUDA only)
};

// Indices into VoxelizeOutputs::counters.
enum VoxelizeCounter : int {
  kPillarCount = 0,              // pillars written, <= max_pillars
  kPillarsDropped = 1,           // distinct cells that got no pillar because max_pillars was reached
  kPointsDroppedPillarFull = 2,  // in-range points beyond max_points_per_pillar
  kPointsDroppedNoPillar = 3,    // in-range points whose cell got no pillar
  kPointsOutOfRange = 4,         // points outside the range, NaN or Inf
  kNumVoxelizeCounters = 5,
};

// Output buffers (host memory for the CPU launcher, device memory for the CUDA one).
struct VoxelizeOutputs {
  float* pillar_points = nullptr;        // [max_pillars, max_points_per_pillar, F]
  int32_t* points_per_pillar = nullptr;  // [max_pillars]
  int32_t* coords = nullptr;             // [max_pillars, 3] as (z, y, x); z is always 0
  int32_t* counters = nullptr;           // [kNumVoxelizeCounters]
};

[[nodiscard]] Status ValidateVoxelizeConfig(VoxelizeConfig const& config, PillarGridF* grid);

// CPU reference. `points` is [num_points, F] row-major float32.
[[nodiscard]] Status VoxelizeCpu(VoxelizeConfig const& config, float const* points, int64_t num_points,
                                 VoxelizeOutputs const& out);

// Bytes of device workspace VoxelizeCuda needs for clouds of up to `max_num_points` points.
[[nodiscard]] Status VoxelizeCudaWorkspaceBytes(VoxelizeConfig const& config, int64_t max_num_points, size_t* bytes);

// CUDA launcher: enqueues all work on `stream`, no host synchronisation, no allocation.
// `points` and all outputs are device pointers; the counters are written on the device.
[[nodiscard]] Status VoxelizeCuda(VoxelizeConfig const& config, float const* points, int64_t num_points,
                                  VoxelizeOutputs const& out, void* workspace, size_t workspace_bytes,
                                  StreamHandle stream);

// The cell -> pillar map that the last VoxelizeCuda call on a workspace left in it, valid until the next call on that
// workspace. Cell c = iy * nx + ix holds pillar cell_pillar[c] when cell_points is null or cell_points[c] > 0, and only
// if that id is at least 0 and below the call's pillar count; any other value means no pillar (a stale entry, a
// dropped pillar or an empty frame). Each cell holds at most one pillar, the one whose coordinates are (0, iy, ix).
// ScatterSparseCellsCuda takes it instead of the coordinates. Device pointers, nx * ny entries each.
struct VoxelCellMap {
  int32_t const* cell_points = nullptr;  // points that fell in the cell (kFast); null for kDeterministic
  int32_t const* cell_pillar = nullptr;
  int nx = 0, ny = 0;
};

// Fills `map` with the pointers into `workspace` (no device work; the pointers are valid before the first call, the
// values after it). `workspace_bytes` must hold VoxelizeCudaWorkspaceBytes for zero points at least.
[[nodiscard]] Status VoxelizeCudaCellMap(VoxelizeConfig const& config, void const* workspace, size_t workspace_bytes,
                                         VoxelCellMap* map);

}  // namespace awml::kernels

#endif  // AWML_CPP_PLUGINS_KERNELS_VOXELIZE_VOXELIZE_H_
