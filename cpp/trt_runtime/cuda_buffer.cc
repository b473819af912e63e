#include "cpp/trt_runtime/cuda_buffer.h"

#include <utility>

#include "cpp/trt_runtime/cuda_stream.h"
#include "cpp/trt_runtime/logging.h"

namespace awml::trt {
namespace {

Status CheckCopySize(std::size_t bytes, std::size_t capacity, char const* what) {
  if (bytes <= capacity) return OkStatus();
  return InvalidArgumentError(std::string(what) + " | copy larger than the buffer. Note: expected <= " +
                              std::to_string(capacity) + " bytes, got " + std::to_string(bytes));
}

}  // namespace

StatusOr<DeviceBuffer> DeviceBuffer::Allocate(std::size_t bytes, cudaStream_t stream) {
  if (stream == nullptr) {
    return InvalidArgumentError(
        "DeviceBuffer | stream-ordered allocation needs a created stream, got the legacy "
        "default stream (nullptr)");
  }
  void* data = nullptr;
  if (bytes > 0) AWML_RETURN_IF_ERROR(CudaStatus(cudaMallocAsync(&data, bytes, stream), "cudaMallocAsync"));
  return DeviceBuffer(data, bytes, stream);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      stream_(std::exchange(other.stream_, nullptr)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    stream_ = std::exchange(other.stream_, nullptr);
  }
  return *this;
}

DeviceBuffer::~DeviceBuffer() { Release(); }

void DeviceBuffer::Release() {
  if (data_ == nullptr) return;
  Status const status = CudaStatus(cudaFreeAsync(data_, stream_), "cudaFreeAsync");
  if (!status.ok()) Log(LogSeverity::kError, status.message());
  data_ = nullptr;
  bytes_ = 0;
}

Status DeviceBuffer::ZeroAsync(cudaStream_t stream) const {
  if (bytes_ == 0) return OkStatus();
  return CudaStatus(cudaMemsetAsync(data_, 0, bytes_, stream), "cudaMemsetAsync");
}

Status DeviceBuffer::CopyFromHostAsync(void const* host, std::size_t bytes, cudaStream_t stream) const {
  AWML_RETURN_IF_ERROR(CheckCopySize(bytes, bytes_, "DeviceBuffer::CopyFromHostAsync"));
  if (bytes == 0) return OkStatus();
  return CudaStatus(cudaMemcpyAsync(data_, host, bytes, cudaMemcpyHostToDevice, stream), "cudaMemcpyAsync(H2D)");
}

Status DeviceBuffer::CopyToHostAsync(void* host, std::size_t bytes, cudaStream_t stream) const {
  AWML_RETURN_IF_ERROR(CheckCopySize(bytes, bytes_, "DeviceBuffer::CopyToHostAsync"));
  if (bytes == 0) return OkStatus();
  return CudaStatus(cudaMemcpyAsync(host, data_, bytes, cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync(D2H)");
}

StatusOr<PinnedBuffer> PinnedBuffer::Allocate(std::size_t bytes) {
  void* data = nullptr;
  if (bytes > 0) AWML_RETURN_IF_ERROR(CudaStatus(cudaMallocHost(&data, bytes), "cudaMallocHost"));
  return PinnedBuffer(data, bytes);
}

PinnedBuffer::PinnedBuffer(PinnedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

PinnedBuffer::~PinnedBuffer() { Release(); }

void PinnedBuffer::Release() {
  if (data_ == nullptr) return;
  Status const status = CudaStatus(cudaFreeHost(data_), "cudaFreeHost");
  if (!status.ok()) Log(LogSeverity::kError, status.message());
  data_ = nullptr;
  bytes_ = 0;
}

}  // namespace awml::trt
