// CUDA PointPillars feature decoration: eight lanes (F = 4, 5) or a warp (any other F) per pillar, same float
// operations as the CPU (decorate.h).
#include <cstdint>
#include <string>

#include "cpp/common/cooperative_launch.h"
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

// The rows of a pillar's output block to write: every row, or with the sparse state (`written`) the first
// max(n, before) of them, where `before` is how many the previous call on the state wrote (at most max_pts).
__device__ __forceinline__ int RowsToWrite(uint8_t const* written, int n, int before, int max_pts) {
  if (!written) return max_pts;
  return n > before ? n : (before < max_pts ? before : max_pts);
}

// Copies a pillar's staged output block (`count` floats from 16-byte aligned shared memory) to its row block `out`
// (max_pts * out_f floats), the calling `lanes` lanes from `first`: 16-byte stores where the row blocks allow.
__device__ __forceinline__ void CopyStaged(float const* stage, float* out, int count, int max_pts, int out_f, int first,
                                           int lanes) {
  int e = first;
  if ((max_pts * out_f) % 4 == 0 && reinterpret_cast<uintptr_t>(out) % 16 == 0) {
    float4 const* src = reinterpret_cast<float4 const*>(stage);
    float4* dst = reinterpret_cast<float4*>(out);
    for (; e < count / 4; e += lanes) dst[e] = src[e];
    e = count / 4 * 4 + first;
  }
  for (; e < count; e += lanes) out[e] = stage[e];
}

// Fast path (max_points_per_pillar <= 32): lane k owns point k; the xyz sums are taken in point order through
// warp shuffles (the same sequence of float additions as the CPU), and the pillar's output block is staged in
// shared memory so the global writes are contiguous (16-byte stores where the rows allow). With `written` (the
// sparse variant) only the row's first max(n, written[pid]) slots are written, and written[pid] becomes n (255 after
// a reset: every slot). F = 4 and 5 take DecorateSubWarpKernel instead; this kernel serves any other F.
__global__ void __launch_bounds__(kWarpsPerBlock * 32)
    DecorateWarpKernel(PillarGridF g, int f, int max_pts, int max_pillars, int out_f, bool center_z,
                       float const* pillar_points, int32_t const* points_per_pillar, int32_t const* coords,
                       int32_t const* pillar_count, float* features, uint8_t* written) {
  __shared__ __align__(16) float stage_all[kWarpsPerBlock][32 * kMaxOutFeatures];
  int const warp = threadIdx.x / 32;
  int const pid = blockIdx.x * kWarpsPerBlock + warp;
  int const lane = threadIdx.x & 31;
  StartAfterPreviousGrid();
  if (pid >= max_pillars) return;
  // The loads that do not depend on one another go out together: the pillar count and this row's point count,
  // coordinates and written mark (a row past the count is read and not used; every buffer holds max_pillars rows).
  int const count = ClampedCount(pillar_count, max_pillars);
  int n = points_per_pillar[pid];
  int32_t const zyx[3] = {coords[3 * pid], coords[3 * pid + 1], coords[3 * pid + 2]};
  int const before = written ? written[pid] : 0;
  if (pid >= count) return;
  float* stage = stage_all[warp];
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
  decorate::PillarFrame const fr = decorate::FrameFromSums(g, sum, n, zyx);
  float* row = stage + lane * out_f;
  if (lane < n) {
    decorate::DecoratePoint(fr, p, f, center_z, row);
  } else {
    for (int d = 0; d < out_f; ++d) row[d] = 0.0f;
  }
  int const rows = RowsToWrite(written, n, before, max_pts);
  __syncwarp();
  if (written && lane == 0) written[pid] = static_cast<uint8_t>(n);
  CopyStaged(stage, features + static_cast<int64_t>(pid) * max_pts * out_f, rows * out_f, max_pts, out_f, lane, 32);
}

// Eight lanes per pillar (four pillars per warp), for F = kF and max_points_per_pillar <= 32: most pillars hold
// a few points, so a warp per pillar leaves most lanes idle. Lane `sub` owns the points sub, sub + 8, sub + 16 and
// sub + 24; the xyz sums are taken in point order through width-8 shuffles (the CPU's sequence of float additions, in
// every lane of the pillar), and each pillar's output block is staged in shared memory as in DecorateWarpKernel.
constexpr int kSubLanes = 8;               // lanes per pillar
constexpr int kSubSlots = 32 / kSubLanes;  // point slots per lane
constexpr int kSubPillarsPerWarp = 32 / kSubLanes;
constexpr int kSubWarpsPerBlock = 4;
constexpr int kSubPillarsPerBlock = kSubWarpsPerBlock * kSubPillarsPerWarp;

template <int kF, bool kCenterZ>
__global__ void __launch_bounds__(kSubWarpsPerBlock * 32)
    DecorateSubWarpKernel(PillarGridF g, int max_pts, int max_pillars, float const* pillar_points,
                          int32_t const* points_per_pillar, int32_t const* coords, int32_t const* pillar_count,
                          float* features, uint8_t* written) {
  constexpr int kOutF = kF + 3 + (kCenterZ ? 3 : 2);
  __shared__ __align__(16) float stage_all[kSubPillarsPerBlock][32 * kOutF];
  int const lane = threadIdx.x & 31, sub = lane & (kSubLanes - 1), group = threadIdx.x / kSubLanes;
  int const first = blockIdx.x * kSubPillarsPerBlock + (threadIdx.x / 32) * kSubPillarsPerWarp;  // the warp's first
  int const pid = blockIdx.x * kSubPillarsPerBlock + group;
  StartAfterPreviousGrid();
  int const count = ClampedCount(pillar_count, max_pillars);
  // The loads that do not depend on the count go out together (every buffer holds max_pillars rows).
  int n = 0, before = 0;
  int32_t zyx[3] = {0, 0, 0};
  if (pid < max_pillars) {
    n = points_per_pillar[pid];
    zyx[0] = coords[3 * pid];
    zyx[1] = coords[3 * pid + 1];
    zyx[2] = coords[3 * pid + 2];
    before = written ? written[pid] : 0;
  }
  if (first >= count) return;  // warp-uniform: none of its pillars is in this frame
  bool const active = pid < count;
  n = !active || n < 0 ? 0 : (n > max_pts ? max_pts : n);
  float const* pts = pillar_points + static_cast<int64_t>(active ? pid : 0) * max_pts * kF;
  float p[kSubSlots][kF];
#pragma unroll
  for (int j = 0; j < kSubSlots; ++j) {
    int const k = j * kSubLanes + sub;
#pragma unroll
    for (int d = 0; d < kF; ++d) p[j][d] = k < n ? pts[k * kF + d] : 0.0f;
  }
  int const n_max = __reduce_max_sync(0xffffffffu, static_cast<unsigned>(n));
  float sum[3] = {0.0f, 0.0f, 0.0f};
#pragma unroll
  for (int j = 0; j < kSubSlots; ++j) {
    if (j * kSubLanes >= n_max) break;  // warp-uniform
#pragma unroll
    for (int s = 0; s < kSubLanes; ++s) {
      int const k = j * kSubLanes + s;
      if (k >= n_max) break;  // warp-uniform
      float v[3];
#pragma unroll
      for (int d = 0; d < 3; ++d) v[d] = __shfl_sync(0xffffffffu, p[j][d], s, kSubLanes);
      if (k < n) {
#pragma unroll
        for (int d = 0; d < 3; ++d) sum[d] = decorate::Add(sum[d], v[d]);
      }
    }
  }
  unsigned const pillar_lanes = __ballot_sync(0xffffffffu, active);
  if (!active) return;  // no shuffle follows
  decorate::PillarFrame const fr = decorate::FrameFromSums(g, sum, n, zyx);
  int const rows = RowsToWrite(written, n, before, max_pts);
  float* stage = stage_all[group];
#pragma unroll
  for (int j = 0; j < kSubSlots; ++j) {
    int const k = j * kSubLanes + sub;
    if (k >= rows) break;
    float* row = stage + k * kOutF;
    if (k < n) {
      decorate::DecoratePoint(fr, p[j], kF, kCenterZ, row);
    } else {
#pragma unroll
      for (int d = 0; d < kOutF; ++d) row[d] = 0.0f;
    }
  }
  __syncwarp(pillar_lanes);
  if (written && sub == 0) written[pid] = static_cast<uint8_t>(n);
  CopyStaged(stage, features + static_cast<int64_t>(pid) * max_pts * kOutF, rows * kOutF, max_pts, kOutF, sub,
             kSubLanes);
}

// General path (any max_points_per_pillar): each lane recomputes the frame and writes its own rows.
__global__ void DecorateKernel(PillarGridF g, int f, int max_pts, int max_pillars, int out_f, bool center_z,
                               float const* pillar_points, int32_t const* points_per_pillar, int32_t const* coords,
                               int32_t const* pillar_count, float* features) {
  int const pid = blockIdx.x * kWarpsPerBlock + threadIdx.x / 32;
  int const lane = threadIdx.x & 31;
  StartAfterPreviousGrid();
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

constexpr char kLaunchWhat[] = "pillar features: launch";  // names the decoration's launch in its errors

Status Launch(PillarFeaturesConfig const& config, PillarGridF const& g, float const* pillar_points,
              int32_t const* points_per_pillar, int32_t const* coords, int32_t const* pillar_count, float* features,
              uint8_t* written, StreamHandle stream) {
  int const blocks = (config.max_pillars + kWarpsPerBlock - 1) / kWarpsPerBlock;
  cudaStream_t const st = static_cast<cudaStream_t>(stream);
  if (config.max_points_per_pillar <= 32) {
    int const f = config.num_point_features;
    bool const z = config.use_voxel_center_z;
    // F = 4 (Autoware's x, y, z, intensity) and 5 (AWML's, with the time lag): eight lanes per pillar, compiled per F.
    if (f == 4 || f == 5) {
      auto* kernel = f == 4 ? (z ? DecorateSubWarpKernel<4, true> : DecorateSubWarpKernel<4, false>)
                            : (z ? DecorateSubWarpKernel<5, true> : DecorateSubWarpKernel<5, false>);
      int const sub_blocks = (config.max_pillars + kSubPillarsPerBlock - 1) / kSubPillarsPerBlock;
      return LaunchEarly(kLaunchWhat, kernel, sub_blocks, kSubWarpsPerBlock * 32, 0, st, g,
                         config.max_points_per_pillar, config.max_pillars, pillar_points, points_per_pillar, coords,
                         pillar_count, features, written);
    }
    return LaunchEarly(kLaunchWhat, DecorateWarpKernel, blocks, kWarpsPerBlock * 32, 0, st, g, f,
                       config.max_points_per_pillar, config.max_pillars, PillarFeatureCount(config), z, pillar_points,
                       points_per_pillar, coords, pillar_count, features, written);
  }
  // every slot of every row: the sparse state is not used
  return LaunchEarly(kLaunchWhat, DecorateKernel, blocks, kWarpsPerBlock * 32, 0, st, g, config.num_point_features,
                     config.max_points_per_pillar, config.max_pillars, PillarFeatureCount(config),
                     config.use_voxel_center_z, pillar_points, points_per_pillar, coords, pillar_count, features);
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
  return Launch(config, g, pillar_points, points_per_pillar, coords, pillar_count, features, nullptr, stream);
}

namespace {

// One byte per pillar row: how many of its point slots the previous call left non-zero.
size_t SparseStateBytes(PillarFeaturesConfig const& config) { return static_cast<size_t>(config.max_pillars); }

// The config is valid (its float grid in *g) and `state` holds at least PillarFeaturesSparseCudaStateBytes.
Status CheckSparseState(PillarFeaturesConfig const& config, void const* state, size_t state_bytes, PillarGridF* g) {
  AWML_RETURN_IF_ERROR(ValidatePillarFeaturesConfig(config, g));
  size_t const need = SparseStateBytes(config);
  if (!state) return InvalidArgumentError("pillar features | the sparse state is null");
  return CheckBytes("pillar features | sparse state", state_bytes, need);
}

}  // namespace

Status PillarFeaturesSparseCudaStateBytes(PillarFeaturesConfig const& config, size_t* bytes) {
  PillarGridF g{};
  Status s = ValidatePillarFeaturesConfig(config, &g);
  if (!s.ok()) return s;
  *bytes = SparseStateBytes(config);
  return OkStatus();
}

Status PillarFeaturesSparseCudaReset(PillarFeaturesConfig const& config, void* state, size_t state_bytes,
                                     StreamHandle stream) {
  PillarGridF g{};
  AWML_RETURN_IF_ERROR(CheckSparseState(config, state, state_bytes, &g));
  // 255 slots written: the next call writes every slot of every row it writes.
  return CudaStatus(cudaMemsetAsync(state, 0xff, SparseStateBytes(config), static_cast<cudaStream_t>(stream)),
                    "pillar features: reset sparse state");
}

Status PillarFeaturesSparseCuda(PillarFeaturesConfig const& config, float const* pillar_points,
                                int32_t const* points_per_pillar, int32_t const* coords, int32_t const* pillar_count,
                                float* features, void* state, size_t state_bytes, StreamHandle stream) {
  PillarGridF g{};
  AWML_RETURN_IF_ERROR(CheckSparseState(config, state, state_bytes, &g));
  if (!pillar_points || !points_per_pillar || !coords || !pillar_count || !features) {
    return InvalidArgumentError("pillar features | a required device pointer is null");
  }
  return Launch(config, g, pillar_points, points_per_pillar, coords, pillar_count, features,
                static_cast<uint8_t*>(state), stream);
}

}  // namespace awml::kernels
