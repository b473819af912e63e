// Device and pinned host buffers. Device memory is stream-ordered (cudaMallocAsync / cudaFreeAsync from
// the device's default memory pool): allocate once at setup, reuse every frame, never cudaMalloc per
// frame (cudaMalloc/cudaFree synchronise the whole device).
#ifndef AWML_CPP_TRT_RUNTIME_CUDA_BUFFER_H_
#define AWML_CPP_TRT_RUNTIME_CUDA_BUFFER_H_

#include <cuda_runtime_api.h>

#include <cstddef>

#include "cpp/common/status.h"

namespace awml::trt {

//! Owned device memory. Freed with cudaFreeAsync on the stream it was allocated on, so that stream
//! must outlive the buffer (CenterPointRuntime declares its stream before its buffers).
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  //! `stream` must not be the legacy default stream (nullptr): stream-ordered memory needs a real stream.
  static StatusOr<DeviceBuffer> Allocate(std::size_t bytes, cudaStream_t stream);

  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(DeviceBuffer const&) = delete;
  DeviceBuffer& operator=(DeviceBuffer const&) = delete;
  ~DeviceBuffer();

  void* data() const { return data_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  std::size_t size() const { return bytes_; }

  Status ZeroAsync(cudaStream_t stream) const;
  //! Copies `bytes` (<= size()) from host to this buffer on `stream`.
  Status CopyFromHostAsync(void const* host, std::size_t bytes, cudaStream_t stream) const;
  //! Copies `bytes` (<= size()) from this buffer to host on `stream`.
  Status CopyToHostAsync(void* host, std::size_t bytes, cudaStream_t stream) const;

 private:
  DeviceBuffer(void* data, std::size_t bytes, cudaStream_t stream) : data_(data), bytes_(bytes), stream_(stream) {}
  void Release();

  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  cudaStream_t stream_ = nullptr;
};

//! Owned page-locked host memory (cudaMallocHost), for asynchronous copies.
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  static StatusOr<PinnedBuffer> Allocate(std::size_t bytes);

  PinnedBuffer(PinnedBuffer&& other) noexcept;
  PinnedBuffer& operator=(PinnedBuffer&& other) noexcept;
  PinnedBuffer(PinnedBuffer const&) = delete;
  PinnedBuffer& operator=(PinnedBuffer const&) = delete;
  ~PinnedBuffer();

  void* data() const { return data_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  std::size_t size() const { return bytes_; }

 private:
  PinnedBuffer(void* data, std::size_t bytes) : data_(data), bytes_(bytes) {}
  void Release();

  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_CUDA_BUFFER_H_
