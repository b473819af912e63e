// RAII over the CUDA runtime: streams and events for timing. No TensorRT.
#ifndef AWML_CPP_TRT_RUNTIME_CUDA_STREAM_H_
#define AWML_CPP_TRT_RUNTIME_CUDA_STREAM_H_

#include <cuda_runtime_api.h>

#include <string>

#include "cpp/common/cuda_status.h"
#include "cpp/common/status.h"

namespace awml::trt {

//! Number of visible CUDA devices, or kUnavailable when there is none (or no driver).
StatusOr<int> CudaDeviceCount();

//! "9.0" for the current device.
StatusOr<std::string> CurrentComputeCapability();

//! An owned, non-blocking CUDA stream. Move-only; destroyed (after the work queued on it) on scope exit.
class CudaStream {
 public:
  //! Defaults to cudaStreamNonBlocking (no implicit sync with the legacy default stream).
  static StatusOr<CudaStream> Create(unsigned int flags = cudaStreamNonBlocking);

  CudaStream(CudaStream&& other) noexcept;
  CudaStream& operator=(CudaStream&& other) noexcept;
  CudaStream(CudaStream const&) = delete;
  CudaStream& operator=(CudaStream const&) = delete;
  ~CudaStream();

  cudaStream_t get() const { return stream_; }
  Status Synchronize() const;

 private:
  explicit CudaStream(cudaStream_t stream) : stream_(stream) {}
  cudaStream_t stream_ = nullptr;
};

//! An owned CUDA event (timing enabled) for stream-ordered latency measurement.
class CudaEvent {
 public:
  static StatusOr<CudaEvent> Create();

  CudaEvent(CudaEvent&& other) noexcept;
  CudaEvent& operator=(CudaEvent&& other) noexcept;
  CudaEvent(CudaEvent const&) = delete;
  CudaEvent& operator=(CudaEvent const&) = delete;
  ~CudaEvent();

  cudaEvent_t get() const { return event_; }
  Status Record(cudaStream_t stream) const;
  //! Milliseconds from `start` to this event; both must have completed.
  StatusOr<float> ElapsedMsSince(CudaEvent const& start) const;

 private:
  explicit CudaEvent(cudaEvent_t event) : event_(event) {}
  cudaEvent_t event_ = nullptr;
};

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_CUDA_STREAM_H_
