// CUDA error -> Status, for the kernels' .cu files only (it includes the CUDA runtime header).
#ifndef AWML_CPP_PLUGINS_KERNELS_STATUS_CUDA_CHECK_H_
#define AWML_CPP_PLUGINS_KERNELS_STATUS_CUDA_CHECK_H_

#include <cuda_runtime.h>

#include <string>

#include "cpp/plugins/kernels/status/status.h"

namespace awml::kernels {

inline Status CudaStatus(cudaError_t err, const char* what) {
  if (err == cudaSuccess) return Status::Ok();
  return Status::CudaError(std::string(what) + " | " + cudaGetErrorName(err) + ": " + cudaGetErrorString(err));
}

// Carves aligned sub-buffers out of one caller-owned workspace; with a null base it only measures.
class WorkspaceCarver {
 public:
  explicit WorkspaceCarver(void* base) : base_(static_cast<char*>(base)) {}
  template <typename T>
  T* Take(size_t count) {
    offset_ = (offset_ + 255) / 256 * 256;
    T* p = base_ ? reinterpret_cast<T*>(base_ + offset_) : nullptr;
    offset_ += count * sizeof(T);
    return p;
  }
  size_t bytes() const { return (offset_ + 255) / 256 * 256; }

 private:
  char* base_;
  size_t offset_ = 0;
};

}  // namespace awml::kernels

#define AWML_RETURN_IF_CUDA_ERROR(expr, what)                                 \
  do {                                                                        \
    ::awml::kernels::Status _s = ::awml::kernels::CudaStatus((expr), (what)); \
    if (!_s.ok()) return _s;                                                  \
  } while (0)

#endif  // AWML_CPP_PLUGINS_KERNELS_STATUS_CUDA_CHECK_H_
