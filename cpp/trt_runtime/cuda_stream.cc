#include "cpp/trt_runtime/cuda_stream.h"

#include <utility>

#include "cpp/trt_runtime/logging.h"

namespace awml::trt {

StatusOr<int> CudaDeviceCount() {
  int count = 0;
  AWML_RETURN_IF_ERROR(CudaStatus(cudaGetDeviceCount(&count), "cudaGetDeviceCount"));
  if (count == 0) return UnavailableError("cuda | no CUDA device visible");
  return count;
}

StatusOr<std::string> CurrentComputeCapability() {
  int device = 0;
  AWML_RETURN_IF_ERROR(CudaStatus(cudaGetDevice(&device), "cudaGetDevice"));
  int major = 0;
  int minor = 0;
  AWML_RETURN_IF_ERROR(CudaStatus(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device),
                                  "cudaDeviceGetAttribute(major)"));
  AWML_RETURN_IF_ERROR(CudaStatus(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device),
                                  "cudaDeviceGetAttribute(minor)"));
  return std::to_string(major) + "." + std::to_string(minor);
}

StatusOr<CudaStream> CudaStream::Create(unsigned int flags) {
  cudaStream_t stream = nullptr;
  AWML_RETURN_IF_ERROR(CudaStatus(cudaStreamCreateWithFlags(&stream, flags), "cudaStreamCreateWithFlags"));
  return CudaStream(stream);
}

CudaStream::CudaStream(CudaStream&& other) noexcept : stream_(std::exchange(other.stream_, nullptr)) {}

CudaStream& CudaStream::operator=(CudaStream&& other) noexcept {
  if (this != &other) {
    this->~CudaStream();
    stream_ = std::exchange(other.stream_, nullptr);
  }
  return *this;
}

CudaStream::~CudaStream() {
  if (stream_ == nullptr) return;
  Status const status = CudaStatus(cudaStreamDestroy(stream_), "cudaStreamDestroy");
  if (!status.ok()) Log(LogSeverity::kError, status.message());
  stream_ = nullptr;
}

Status CudaStream::Synchronize() const { return CudaStatus(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"); }

StatusOr<CudaEvent> CudaEvent::Create() {
  cudaEvent_t event = nullptr;
  AWML_RETURN_IF_ERROR(CudaStatus(cudaEventCreate(&event), "cudaEventCreate"));
  return CudaEvent(event);
}

CudaEvent::CudaEvent(CudaEvent&& other) noexcept : event_(std::exchange(other.event_, nullptr)) {}

CudaEvent& CudaEvent::operator=(CudaEvent&& other) noexcept {
  if (this != &other) {
    this->~CudaEvent();
    event_ = std::exchange(other.event_, nullptr);
  }
  return *this;
}

CudaEvent::~CudaEvent() {
  if (event_ == nullptr) return;
  Status const status = CudaStatus(cudaEventDestroy(event_), "cudaEventDestroy");
  if (!status.ok()) Log(LogSeverity::kError, status.message());
  event_ = nullptr;
}

Status CudaEvent::Record(cudaStream_t stream) const {
  return CudaStatus(cudaEventRecord(event_, stream), "cudaEventRecord");
}

StatusOr<float> CudaEvent::ElapsedMsSince(CudaEvent const& start) const {
  float ms = 0.0f;
  AWML_RETURN_IF_ERROR(CudaStatus(cudaEventElapsedTime(&ms, start.event_, event_), "cudaEventElapsedTime"));
  return ms;
}

}  // namespace awml::trt
