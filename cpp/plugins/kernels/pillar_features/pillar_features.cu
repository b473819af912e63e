// CUDA PointPillars feature decoration: one warp per pillar, same float operations as the CPU (decorate.h).
#include <cooperative_groups.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>

#include "cpp/common/cooperative_launch.h"
#include "cpp/common/cuda_status.h"
#include "cpp/plugins/kernels/pillar_features/decorate.h"
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"
#include "cpp/plugins/kernels/voxelize/fast_voxelize.cuh"

namespace awml::kernels {
namespace {

namespace cg = cooperative_groups;

constexpr int kWarpsPerBlock = 8;
constexpr int kMaxOutFeatures = 8 + 3 + 3;

__device__ __forceinline__ int ClampedCount(int32_t const* pillar_count, int max_pillars) {
  int const count = *pillar_count;
  return count < 0 ? 0 : (count > max_pillars ? max_pillars : count);
}

// Fast path (max_points_per_pillar <= 32): lane k owns point k; the xyz sums are taken in point order through
// warp shuffles (the same sequence of float additions as the CPU), and the pillar's output block is staged in
// shared memory so the global writes are contiguous (16-byte stores where the rows allow). One warp, one pillar.
__device__ __forceinline__ void DecoratePillarWarp(PillarGridF const& g, int f, int max_pts, int out_f, bool center_z,
                                                   float const* pillar_points, int32_t const* points_per_pillar,
                                                   int32_t const* coords, int pid, float* stage, float* features) {
  int const lane = threadIdx.x & 31;
  int n = points_per_pillar[pid];
  n = n < 0 ? 0 : (n > max_pts ? max_pts : n);
  float const* pts = pillar_points + static_cast<int64_t>(pid) * max_pts * f;
  float p[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  if (lane < n) {
    for (int d = 0; d < f; ++d) p[d] = pts[lane * f + d];
  }
  float sum[3] = {0.0f, 0.0f, 0.0f};
  for (int k = 0; k < n; ++k) {
    for (int d = 0; d < 3; ++d) sum[d] = decorate::Add(sum[d], __shfl_sync(0xffffffffu, p[d], k));
  }
  decorate::PillarFrame const fr = decorate::FrameFromSums(g, sum, n, coords + 3 * pid);
  float* row = stage + lane * out_f;
  if (lane < n) {
    decorate::DecoratePoint(fr, p, f, center_z, row);
  } else {
    for (int d = 0; d < out_f; ++d) row[d] = 0.0f;
  }
  __syncwarp();
  float* out = features + static_cast<int64_t>(pid) * max_pts * out_f;
  int const block = max_pts * out_f;
  if (block % 4 == 0 && reinterpret_cast<uintptr_t>(out) % 16 == 0) {  // stage rows are 16-byte aligned
    float4 const* src = reinterpret_cast<float4 const*>(stage);
    float4* dst = reinterpret_cast<float4*>(out);
    for (int e = lane; e < block / 4; e += 32) dst[e] = src[e];
  } else {
    for (int e = lane; e < block; e += 32) out[e] = stage[e];
  }
  __syncwarp();  // the stage is reused by this warp's next pillar
}

__global__ void __launch_bounds__(kWarpsPerBlock * 32)
    DecorateWarpKernel(PillarGridF g, int f, int max_pts, int max_pillars, int out_f, bool center_z,
                       float const* pillar_points, int32_t const* points_per_pillar, int32_t const* coords,
                       int32_t const* pillar_count, float* features) {
  __shared__ __align__(16) float stage[kWarpsPerBlock][32 * kMaxOutFeatures];
  int const warp = threadIdx.x / 32;
  int const pid = blockIdx.x * kWarpsPerBlock + warp;
  if (pid >= ClampedCount(pillar_count, max_pillars)) return;
  DecoratePillarWarp(g, f, max_pts, out_f, center_z, pillar_points, points_per_pillar, coords, pid, stage[warp],
                     features);
}

// Voxelize (kFast) and decorate in one cooperative launch: the fast voxeliser's phases, a grid-wide barrier, then
// one warp per pillar over the grid.
struct FusedArgs {
  fast_voxelize::FastArgs vox;
  int out_f;
  bool center_z;
  float* features;
};

__global__ void __launch_bounds__(fast_voxelize::kFastThreads) VoxelizeDecorateKernel(FusedArgs a) {
  static_assert(fast_voxelize::kFastThreads == kWarpsPerBlock * 32, "one stage row per warp");
  __shared__ __align__(16) float stage[kWarpsPerBlock][32 * kMaxOutFeatures];
  cg::grid_group grid = cg::this_grid();
  fast_voxelize::FastVoxelizePhases(a.vox, grid);
  grid.sync();
  int const count = ClampedCount(a.vox.out.counters + kPillarCount, a.vox.max_pillars);
  int const warp = threadIdx.x / 32;
  int const warps = gridDim.x * kWarpsPerBlock;
  for (int pid = blockIdx.x * kWarpsPerBlock + warp; pid < count; pid += warps) {
    DecoratePillarWarp(a.vox.g, a.vox.f, a.vox.max_pts, a.out_f, a.center_z, a.vox.out.pillar_points,
                       a.vox.out.points_per_pillar, a.vox.out.coords, pid, stage[warp], a.features);
  }
}

// General path (any max_points_per_pillar): each lane recomputes the frame and writes its own rows.
__global__ void DecorateKernel(PillarGridF g, int f, int max_pts, int max_pillars, int out_f, bool center_z,
                               float const* pillar_points, int32_t const* points_per_pillar, int32_t const* coords,
                               int32_t const* pillar_count, float* features) {
  int const pid = blockIdx.x * kWarpsPerBlock + threadIdx.x / 32;
  int const lane = threadIdx.x & 31;
  if (pid >= ClampedCount(pillar_count, max_pillars)) return;
  float const* pts = pillar_points + static_cast<int64_t>(pid) * max_pts * f;
  int n = points_per_pillar[pid];
  n = n < 0 ? 0 : (n > max_pts ? max_pts : n);
  decorate::PillarFrame const fr = decorate::MakeFrame(g, pts, n, f, coords + 3 * pid);
  float* out = features + static_cast<int64_t>(pid) * max_pts * out_f;
  for (int k = lane; k < max_pts; k += 32) {
    float* row = out + k * out_f;
    if (k < n) {
      decorate::DecoratePoint(fr, pts + k * f, f, center_z, row);
    } else {
      for (int d = 0; d < out_f; ++d) row[d] = 0.0f;
    }
  }
}

}  // namespace

Status PillarFeaturesCuda(PillarFeaturesConfig const& config, float const* pillar_points,
                          int32_t const* points_per_pillar, int32_t const* coords, int32_t const* pillar_count,
                          float* features, StreamHandle stream) {
  PillarGridF g{};
  Status s = ValidatePillarFeaturesConfig(config, &g);
  if (!s.ok()) return s;
  if (!pillar_points || !points_per_pillar || !coords || !pillar_count || !features) {
    return InvalidArgumentError("pillar features | a required device pointer is null");
  }
  int const blocks = (config.max_pillars + kWarpsPerBlock - 1) / kWarpsPerBlock;
  auto kernel = config.max_points_per_pillar <= 32 ? DecorateWarpKernel : DecorateKernel;
  kernel<<<blocks, kWarpsPerBlock * 32, 0, stream>>>(
      g, config.num_point_features, config.max_points_per_pillar, config.max_pillars, PillarFeatureCount(config),
      config.use_voxel_center_z, pillar_points, points_per_pillar, coords, pillar_count, features);
  return CudaStatus(cudaGetLastError(), "pillar features: launch");
}

Status VoxelizeAndDecorateCuda(VoxelizeConfig const& voxelize, PillarFeaturesConfig const& features_config,
                               float const* points, int64_t num_points, VoxelizeOutputs const& out, float* features,
                               void* workspace, size_t workspace_bytes, StreamHandle stream) {
  PillarGridF g{}, fg{};
  Status s = ValidateVoxelizeConfig(voxelize, &g);
  if (!s.ok()) return s;
  s = ValidatePillarFeaturesConfig(features_config, &fg);
  if (!s.ok()) return s;
  if (features_config.num_point_features != voxelize.num_point_features ||
      features_config.max_points_per_pillar != voxelize.max_points_per_pillar ||
      features_config.max_pillars != voxelize.max_pillars || g.nx != fg.nx || g.ny != fg.ny || g.min_x != fg.min_x ||
      g.min_y != fg.min_y || g.voxel_x != fg.voxel_x || g.voxel_y != fg.voxel_y) {
    return InvalidArgumentError(
        "voxelize and decorate | the feature config must describe the voxeliser's pillars. Note: expected the same "
        "grid, num_point_features, max_points_per_pillar and max_pillars");
  }
  bool const fused = voxelize.mode == VoxelizeMode::kFast && voxelize.max_points_per_pillar <= 32 && num_points > 0;
  if (!fused) {  // kDeterministic, wide pillars or an empty cloud: the two launchers one after the other
    s = VoxelizeCuda(voxelize, points, num_points, out, workspace, workspace_bytes, stream);
    if (!s.ok()) return s;
    return PillarFeaturesCuda(features_config, out.pillar_points, out.points_per_pillar, out.coords,
                              out.counters + kPillarCount, features, stream);
  }
  if (num_points > INT_MAX) return InvalidArgumentError("voxelize and decorate | num_points must be in 0..2^31-1");
  if (!points || !out.pillar_points || !out.points_per_pillar || !out.coords || !out.counters || !features ||
      !workspace) {
    return InvalidArgumentError("voxelize and decorate | a required device pointer is null");
  }
  size_t need = 0;
  fast_voxelize::FastWorkspace const w = fast_voxelize::CarveFast(g, num_points, workspace, &need);
  if (workspace_bytes < need) {
    return InvalidArgumentError(
        "voxelize and decorate | workspace too small. Note: expected >= " + std::to_string(need) +
        " bytes (VoxelizeCudaWorkspaceBytes), got " + std::to_string(workspace_bytes));
  }
  int const n = static_cast<int>(num_points);
  int const num_cells = g.nx * g.ny;
  FusedArgs const args{{g, points, n, voxelize.num_point_features, voxelize.max_points_per_pillar, voxelize.max_pillars,
                        num_cells, voxelize.zero_unused_slots, w, out},
                       PillarFeatureCount(features_config),
                       features_config.use_voxel_center_z,
                       features};
  static CooperativeGrid grid;
  int blocks = 0;
  int64_t const wanted =
      (std::max<int64_t>(n, num_cells / 4) + fast_voxelize::kFastThreads - 1) / fast_voxelize::kFastThreads;
  AWML_RETURN_IF_ERROR(grid.Blocks(VoxelizeDecorateKernel, fast_voxelize::kFastThreads, 0, wanted, &blocks));
  return LaunchCooperative(VoxelizeDecorateKernel, blocks, fast_voxelize::kFastThreads, 0,
                           static_cast<cudaStream_t>(stream), args);
}

}  // namespace awml::kernels
