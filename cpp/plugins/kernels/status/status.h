// Status returned by every kernel launcher: no exceptions cross the kernel API.
#ifndef AWML_CPP_PLUGINS_KERNELS_STATUS_STATUS_H_
#define AWML_CPP_PLUGINS_KERNELS_STATUS_STATUS_H_

#include <string>
#include <utility>

// The CUDA stream handle without including CUDA headers: cudaStream_t is `CUstream_st*`.
struct CUstream_st;

namespace awml::kernels {

using StreamHandle = CUstream_st*;

enum class StatusCode { kOk = 0, kInvalidArgument = 1, kCudaError = 2 };

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) {
    return Status(StatusCode::kInvalidArgument, std::move(message));
  }
  static Status CudaError(std::string message) { return Status(StatusCode::kCudaError, std::move(message)); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace awml::kernels

#endif  // AWML_CPP_PLUGINS_KERNELS_STATUS_STATUS_H_
