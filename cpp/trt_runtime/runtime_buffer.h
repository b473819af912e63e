// RuntimeBuffer: one buffer of CenterPointRuntime, in host memory (CPU runtime, staging) or device memory (CUDA
// runtime), zero-filled at allocation. Internal to cpp/trt_runtime.
#ifndef AWML_CPP_TRT_RUNTIME_RUNTIME_BUFFER_H_
#define AWML_CPP_TRT_RUNTIME_RUNTIME_BUFFER_H_

#include <algorithm>
#include <cstddef>
#include <vector>

#include "cpp/common/status.h"

#ifndef AWML_RUNTIME_WITH_CUDA
#define AWML_RUNTIME_WITH_CUDA 0
#endif
#if AWML_RUNTIME_WITH_CUDA
#include <cuda_runtime_api.h>

#include "cpp/trt_runtime/cuda_buffer.h"
#include "cpp/trt_runtime/cuda_stream.h"
#endif

namespace awml::trt {

class RuntimeBuffer {
 public:
  RuntimeBuffer() = default;
  static RuntimeBuffer Host(std::size_t bytes) {
    RuntimeBuffer b;
    b.host_.assign(bytes, std::byte{0});
    b.data_ = b.host_.data();
    b.bytes_ = bytes;
    return b;
  }
#if AWML_RUNTIME_WITH_CUDA
  static StatusOr<RuntimeBuffer> Device(std::size_t bytes, cudaStream_t stream) {
    RuntimeBuffer b;
    AWML_ASSIGN_OR_RETURN(b.device_, DeviceBuffer::Allocate(std::max<std::size_t>(bytes, 1), stream));
    AWML_RETURN_IF_ERROR(CudaStatus(cudaMemsetAsync(b.device_.data(), 0, b.device_.size(), stream), "centerpoint"));
    b.data_ = b.device_.data();
    b.bytes_ = bytes;
    return b;
  }
#endif
  void* data() const { return data_; }
  std::size_t size() const { return bytes_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }

 private:
  std::vector<std::byte> host_;
#if AWML_RUNTIME_WITH_CUDA
  DeviceBuffer device_;
#endif
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_RUNTIME_BUFFER_H_
