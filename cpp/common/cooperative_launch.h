// Cooperative launches (all blocks resident at once, so a kernel may call cooperative_groups grid.sync()): the
// grid size that fits the device, cached per device, and the launch itself; launches that may start before the
// kernel ahead of them in the stream has finished (programmatic dependent launch, sm_90). For .cu files only.
#ifndef AWML_CPP_COMMON_COOPERATIVE_LAUNCH_H_
#define AWML_CPP_COMMON_COOPERATIVE_LAUNCH_H_

#include <cuda_runtime.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

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

//! Programmatic dependent launch. A kernel enqueued by LaunchCooperative or LaunchEarly may be scheduled while the
//! kernel ahead of it in the stream still runs, so that its launch and block start-up overlap that kernel's tail.
//! Such a kernel calls StartAfterPreviousGrid() before its first global memory access, read or write: it returns
//! once every kernel ahead in the stream has finished and its writes are visible, then lets the kernel behind this
//! one be scheduled in turn. Work that is not a kernel (copies, memsets, events, host functions) is ordered as usual.
__device__ __forceinline__ void StartAfterPreviousGrid() {
  cudaGridDependencySynchronize();
  cudaTriggerProgrammaticLaunchCompletion();
}

namespace detail {

template <typename... KernelArgs, typename... Args>
Status LaunchEx(bool cooperative, void (*kernel)(KernelArgs...), int blocks, int threads, std::size_t dynamic_smem,
                cudaStream_t stream, char const* what, Args&&... args) {
  cudaLaunchAttribute attribute[2];
  attribute[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attribute[0].val.programmaticStreamSerializationAllowed = 1;
  attribute[1].id = cudaLaunchAttributeCooperative;
  attribute[1].val.cooperative = 1;
  cudaLaunchConfig_t config = {};
  config.gridDim = dim3(static_cast<unsigned>(blocks));
  config.blockDim = dim3(static_cast<unsigned>(threads));
  config.dynamicSmemBytes = dynamic_smem;
  config.stream = stream;
  config.attrs = attribute;
  config.numAttrs = cooperative ? 2 : 1;
  return CudaStatus(cudaLaunchKernelEx(&config, kernel, static_cast<KernelArgs>(args)...), what);
}

}  // namespace detail

//! Enqueues `kernel<<<blocks, threads, smem, stream>>>(args...)` as a cooperative launch that may start early
//! (the kernel calls StartAfterPreviousGrid() first).
template <typename... KernelArgs, typename... Args>
Status LaunchCooperative(void (*kernel)(KernelArgs...), int blocks, int threads, std::size_t dynamic_smem,
                         cudaStream_t stream, Args&&... args) {
  return detail::LaunchEx(true, kernel, blocks, threads, dynamic_smem, stream, "cooperative launch",
                          std::forward<Args>(args)...);
}

//! Enqueues `kernel<<<blocks, threads, smem, stream>>>(args...)`, allowed to start early (the kernel calls
//! StartAfterPreviousGrid() first). `what` names the launch in the error.
template <typename... KernelArgs, typename... Args>
Status LaunchEarly(char const* what, void (*kernel)(KernelArgs...), int blocks, int threads, std::size_t dynamic_smem,
                   cudaStream_t stream, Args&&... args) {
  return detail::LaunchEx(false, kernel, blocks, threads, dynamic_smem, stream, what, std::forward<Args>(args)...);
}

}  // namespace awml

#endif  // AWML_CPP_COMMON_COOPERATIVE_LAUNCH_H_
