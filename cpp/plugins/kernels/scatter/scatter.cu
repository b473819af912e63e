// CUDA pillar scatter: one thread per (pillar, channel); reads are coalesced, writes go to C planes.
#include <cooperative_groups.h>

#include <cstdint>
#include <string>

#include "cpp/common/cooperative_launch.h"
#include "cpp/common/cuda_status.h"
#include "cpp/plugins/kernels/scatter/scatter.h"

namespace awml::kernels {
namespace {

namespace cg = cooperative_groups;

constexpr int kThreads = 256;

__global__ void ScatterKernel(int channels, int grid_x, int grid_y, int max_pillars, float const* features,
                              int32_t const* coords, int32_t const* pillar_count, float* canvas) {
  int64_t const t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  int64_t const p = t / channels;
  int const c = static_cast<int>(t % channels);
  int count = *pillar_count;
  count = count < 0 ? 0 : (count > max_pillars ? max_pillars : count);
  if (p >= count) return;
  int32_t const y = coords[3 * p + 1], x = coords[3 * p + 2];
  if (x < 0 || y < 0 || x >= grid_x || y >= grid_y) return;
  int64_t const plane = static_cast<int64_t>(grid_x) * grid_y;
  canvas[c * plane + static_cast<int64_t>(y) * grid_x + x] = features[t];
}

constexpr int kDenseThreads = 256;

struct DenseArgs {
  int channels, grid_x, grid_y, max_pillars;
  float const* features;
  int32_t const* coords;
  int32_t const* pillar_count;
  float* canvas;
  int32_t* map;  // [grid_y * grid_x]
  bool vector4;  // plane % 4 == 0 and the canvas is 16-byte aligned
};

__device__ __forceinline__ int32_t DenseCount(DenseArgs const& a) {
  int const count = *a.pillar_count;
  return count < 0 ? 0 : (count > a.max_pillars ? a.max_pillars : count);
}

// The pillar at `cell`, or -1: the map entry counts only when it names a pillar of this frame that lies there.
__device__ __forceinline__ int32_t DensePillar(DenseArgs const& a, int32_t count, int64_t cell) {
  int32_t const p = a.map[cell];
  return p >= 0 && p < count ? p : -1;
}

__global__ void __launch_bounds__(kDenseThreads) ScatterDenseKernel(DenseArgs a) {
  cg::grid_group grid = cg::this_grid();
  int64_t const stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t const tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  int64_t const plane = static_cast<int64_t>(a.grid_x) * a.grid_y;
  int32_t const count = DenseCount(a);
  // Phase 0: empty map.
  for (int64_t cell = tid; cell < plane; cell += stride) a.map[cell] = -1;
  grid.sync();
  // Phase 1: each in-bounds pillar claims its cell; the highest pillar index wins (ScatterCpu's last write).
  for (int64_t p = tid; p < count; p += stride) {
    int32_t const y = a.coords[3 * p + 1], x = a.coords[3 * p + 2];
    if (x < 0 || y < 0 || x >= a.grid_x || y >= a.grid_y) continue;
    atomicMax(&a.map[static_cast<int64_t>(y) * a.grid_x + x], static_cast<int32_t>(p));
  }
  grid.sync();
  // Phase 2: every canvas element once: the pillar's feature or zero.
  if (a.vector4) {  // one item = 4 neighbouring cells x up to 8 channels; neighbouring threads, neighbouring cells
    float4* canvas4 = reinterpret_cast<float4*>(a.canvas);
    int64_t const quads = plane / 4;
    int64_t const items = quads * ((a.channels + 7) / 8);
    for (int64_t e = tid; e < items; e += stride) {
      int64_t const q = e % quads;
      int const c0 = static_cast<int>(e / quads) * 8, c1 = min(c0 + 8, a.channels);
      int32_t p[4];
      for (int k = 0; k < 4; ++k) p[k] = DensePillar(a, count, 4 * q + k);
      for (int c = c0; c < c1; ++c) {
        float v[4];
        for (int k = 0; k < 4; ++k) v[k] = p[k] >= 0 ? a.features[static_cast<int64_t>(p[k]) * a.channels + c] : 0.0f;
        canvas4[c * quads + q] = make_float4(v[0], v[1], v[2], v[3]);
      }
    }
  } else {
    for (int64_t cell = tid; cell < plane; cell += stride) {
      int32_t const p = DensePillar(a, count, cell);
      for (int c = 0; c < a.channels; ++c) {
        a.canvas[c * plane + cell] = p >= 0 ? a.features[static_cast<int64_t>(p) * a.channels + c] : 0.0f;
      }
    }
  }
}

}  // namespace

Status ScatterDenseCudaWorkspaceBytes(ScatterConfig const& config, size_t* bytes) {
  Status s = ValidateScatterConfig(config);
  if (!s.ok()) return s;
  *bytes = sizeof(int32_t) * static_cast<size_t>(config.grid_x) * config.grid_y;
  return OkStatus();
}

Status ScatterDenseCuda(ScatterConfig const& config, float const* pillar_features, int32_t const* coords,
                        int32_t const* pillar_count, float* canvas, void* workspace, size_t workspace_bytes,
                        StreamHandle stream) {
  size_t need = 0;
  Status s = ScatterDenseCudaWorkspaceBytes(config, &need);
  if (!s.ok()) return s;
  if (!config.clear_canvas) {
    return InvalidArgumentError(
        "scatter | ScatterDenseCuda writes every canvas cell. Note: expected clear_canvas "
        "= true (use ScatterCuda to scatter onto a canvas without clearing it)");
  }
  if (!pillar_features || !coords || !pillar_count || !canvas || !workspace) {
    return InvalidArgumentError("scatter | a required device pointer is null");
  }
  if (workspace_bytes < need) {
    return InvalidArgumentError("scatter | workspace too small. Note: expected >= " + std::to_string(need) +
                                " bytes, got " + std::to_string(workspace_bytes));
  }
  int64_t const plane = static_cast<int64_t>(config.grid_x) * config.grid_y;
  bool const vector4 = plane % 4 == 0 && reinterpret_cast<uintptr_t>(canvas) % 16 == 0;
  static CooperativeGrid grid;
  int blocks = 0;
  int64_t const wanted = (plane / 4 * ((config.num_channels + 7) / 8) + kDenseThreads - 1) / kDenseThreads;
  AWML_RETURN_IF_ERROR(grid.Blocks(ScatterDenseKernel, kDenseThreads, 0, wanted, &blocks));
  DenseArgs const args{config.num_channels,
                       config.grid_x,
                       config.grid_y,
                       config.max_pillars,
                       pillar_features,
                       coords,
                       pillar_count,
                       canvas,
                       static_cast<int32_t*>(workspace),
                       vector4};
  return LaunchCooperative(ScatterDenseKernel, blocks, kDenseThreads, 0, static_cast<cudaStream_t>(stream), args);
}

Status ScatterCuda(ScatterConfig const& config, float const* pillar_features, int32_t const* coords,
                   int32_t const* pillar_count, float* canvas, StreamHandle stream) {
  Status s = ValidateScatterConfig(config);
  if (!s.ok()) return s;
  if (!pillar_features || !coords || !pillar_count || !canvas) {
    return InvalidArgumentError("scatter | a required device pointer is null");
  }
  if (config.clear_canvas) {
    size_t const bytes = sizeof(float) * config.num_channels * static_cast<size_t>(config.grid_x) * config.grid_y;
    AWML_RETURN_IF_CUDA_ERROR(cudaMemsetAsync(canvas, 0, bytes, stream), "scatter: clear canvas");
  }
  int64_t const threads = static_cast<int64_t>(config.max_pillars) * config.num_channels;
  if (threads == 0) return OkStatus();
  ScatterKernel<<<static_cast<int>((threads + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
      config.num_channels, config.grid_x, config.grid_y, config.max_pillars, pillar_features, coords, pillar_count,
      canvas);
  return CudaStatus(cudaGetLastError(), "scatter: launch");
}

}  // namespace awml::kernels
