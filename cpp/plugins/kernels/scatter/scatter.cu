// CUDA pillar scatter: one thread per (pillar, channel); reads are coalesced, writes go to C planes.
#include <cstdint>

#include "cpp/common/cuda_status.h"
#include "cpp/plugins/kernels/scatter/scatter.h"

namespace awml::kernels {
namespace {

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

}  // namespace

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
