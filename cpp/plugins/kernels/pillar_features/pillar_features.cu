// CUDA PointPillars feature decoration: one warp per pillar, same float operations as the CPU (decorate.h).
#include <cstdint>

#include "cpp/common/cuda_status.h"
#include "cpp/plugins/kernels/pillar_features/decorate.h"
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"

namespace awml::kernels {
namespace {

constexpr int kWarpsPerBlock = 8;
constexpr int kMaxOutFeatures = 8 + 3 + 3;

__device__ __forceinline__ int ClampedCount(int32_t const* pillar_count, int max_pillars) {
  int const count = *pillar_count;
  return count < 0 ? 0 : (count > max_pillars ? max_pillars : count);
}

// Fast path (max_points_per_pillar <= 32): lane k owns point k; the xyz sums are taken in point order through
// warp shuffles (the same sequence of float additions as the CPU), and the pillar's output block is staged in
// shared memory so the global writes are contiguous (16-byte stores where the rows allow).
__global__ void __launch_bounds__(kWarpsPerBlock * 32)
    DecorateWarpKernel(PillarGridF g, int f, int max_pts, int max_pillars, int out_f, bool center_z,
                       float const* pillar_points, int32_t const* points_per_pillar, int32_t const* coords,
                       int32_t const* pillar_count, float* features) {
  __shared__ __align__(16) float stage_all[kWarpsPerBlock][32 * kMaxOutFeatures];
  int const warp = threadIdx.x / 32;
  int const pid = blockIdx.x * kWarpsPerBlock + warp;
  int const lane = threadIdx.x & 31;
  if (pid >= ClampedCount(pillar_count, max_pillars)) return;
  float* stage = stage_all[warp];
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

}  // namespace awml::kernels
