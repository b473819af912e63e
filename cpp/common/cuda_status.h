// CUDA runtime error -> Status, for the kernels' .cu files and the runtime's CUDA RAII (it includes the CUDA
// runtime API header, so TensorRT-free and CUDA-free headers must not include it).
#ifndef AWML_CPP_COMMON_CUDA_STATUS_H_
#define AWML_CPP_COMMON_CUDA_STATUS_H_

#include <cuda_runtime_api.h>

#include <string>
#include <string_view>

#include "cpp/common/status.h"

namespace awml {

//! Ok for cudaSuccess; kUnavailable for "no device / no driver"; kInternal otherwise. The message reads
//! "<what> | <cudaGetErrorName>: <cudaGetErrorString>". Nothing is allocated on success (it runs for every launch).
inline Status CudaStatus(cudaError_t error, std::string_view what) {
  if (error == cudaSuccess) return OkStatus();
  std::string const message = std::string(what) + " | " + cudaGetErrorName(error) + ": " + cudaGetErrorString(error);
  bool const no_device = error == cudaErrorNoDevice || error == cudaErrorInsufficientDriver ||
                         error == cudaErrorInitializationError || error == cudaErrorSystemDriverMismatch;
  if (no_device) return UnavailableError(message + ". Note: a CUDA device and driver are needed");
  return InternalError(message);
}

}  // namespace awml

//! Returns from the enclosing function when the CUDA call `expr` did not return cudaSuccess.
#define AWML_RETURN_IF_CUDA_ERROR(expr, what) AWML_RETURN_IF_ERROR(::awml::CudaStatus((expr), (what)))

#endif  // AWML_CPP_COMMON_CUDA_STATUS_H_
