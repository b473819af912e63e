#include <cuda_runtime_api.h>

#include <string>

#include "cpp/trt_runtime/head_layout.h"

#include "cpp/common/cuda_status.h"

namespace awml::trt {
namespace {

__global__ void HeadFromYAxisKernel(float* dim, float* rot, int64_t plane) {
  int64_t const i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= plane) return;
  float const w = dim[i];
  dim[i] = dim[plane + i];
  dim[plane + i] = w;
  float const neg_cos = rot[i];
  float const neg_sin = rot[plane + i];
  rot[i] = -neg_sin;
  rot[plane + i] = -neg_cos;
}

}  // namespace

Status HeadFromYAxisCuda(float* dim, float* rot, int64_t plane, StreamHandle stream) {
  if (dim == nullptr || rot == nullptr || plane < 0) {
    return InvalidArgumentError("head layout | null tensor or negative plane size");
  }
  if (plane == 0) return OkStatus();
  int const threads = 256;
  auto const blocks = static_cast<unsigned>((plane + threads - 1) / threads);
  HeadFromYAxisKernel<<<blocks, threads, 0, stream>>>(dim, rot, plane);
  cudaError_t const err = cudaGetLastError();
  return CudaStatus(err, "head layout");
}

}  // namespace awml::trt
