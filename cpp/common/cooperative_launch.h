// Cooperative launches (all blocks resident at once, so a kernel may call cooperative_groups grid.sync()): the
// grid size that fits the device, cached per device, and the launch itself. For .cu files only.
#ifndef AWML_CPP_COMMON_COOPERATIVE_LAUNCH_H_
#define AWML_CPP_COMMON_COOPERATIVE_LAUNCH_H_

#include <cuda_runtime.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "cpp/common/cuda_status.h"

namespace awml {

//! One per kernel (a function-local static): how many blocks of that kernel fit on the current device at once.
class CooperativeGrid {
 public:
  //! Blocks to launch: min(wanted, resident capacity), at least 1. The capacity is queried once per device.
  template <typename Kernel>
  Status Blocks(Kernel kernel, int threads, std::size_t dynamic_smem, int64_t wanted, int* blocks) {
    int device = 0;
    AWML_RETURN_IF_CUDA_ERROR(cudaGetDevice(&device), "cooperative launch: device");
    int capacity = device >= 0 && device < kMaxDevices ? capacity_[device].load(std::memory_order_relaxed) : 0;
    if (capacity <= 0) {
      int sms = 0, per_sm = 0;
      AWML_RETURN_IF_CUDA_ERROR(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device),
                                "cooperative launch: SM count");
      AWML_RETURN_IF_CUDA_ERROR(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, threads, dynamic_smem),
                                "cooperative launch: occupancy");
      capacity = sms * per_sm;
      if (capacity <= 0) return InternalError("cooperative launch | the kernel does not fit on one SM");
      if (device >= 0 && device < kMaxDevices) capacity_[device].store(capacity, std::memory_order_relaxed);
    }
    int64_t const b = wanted < capacity ? wanted : capacity;
    *blocks = b < 1 ? 1 : static_cast<int>(b);
    return OkStatus();
  }

 private:
  static constexpr int kMaxDevices = 64;
  std::atomic<int> capacity_[kMaxDevices] = {};
};

//! Enqueues `kernel<<<blocks, threads, smem, stream>>>(args...)` as a cooperative launch.
template <typename... KernelArgs, typename... Args>
Status LaunchCooperative(void (*kernel)(KernelArgs...), int blocks, int threads, std::size_t dynamic_smem,
                         cudaStream_t stream, Args&&... args) {
  cudaLaunchAttribute attribute[1];
  attribute[0].id = cudaLaunchAttributeCooperative;
  attribute[0].val.cooperative = 1;
  cudaLaunchConfig_t config = {};
  config.gridDim = dim3(static_cast<unsigned>(blocks));
  config.blockDim = dim3(static_cast<unsigned>(threads));
  config.dynamicSmemBytes = dynamic_smem;
  config.stream = stream;
  config.attrs = attribute;
  config.numAttrs = 1;
  return CudaStatus(cudaLaunchKernelEx(&config, kernel, static_cast<KernelArgs>(args)...), "cooperative launch");
}

}  // namespace awml

#endif  // AWML_CPP_COMMON_COOPERATIVE_LAUNCH_H_
