// CenterPoint kernel bindings for awml_deploy._native (numpy on the CPU; raw device pointers on CUDA builds).
#ifndef AWML_CPP_TRT_RUNTIME_PYBIND_KERNEL_BINDINGS_H_
#define AWML_CPP_TRT_RUNTIME_PYBIND_KERNEL_BINDINGS_H_

#include <pybind11/pybind11.h>

#include "cpp/common/status.h"

namespace awml::kernels {

// Config classes, CPU entry points, cuda_device_count() and CUDA_AVAILABLE.
void RegisterKernels(pybind11::module_& m);

// The *_cuda entry points (only in builds with AWML_WITH_CUDA=1).
void RegisterCudaKernels(pybind11::module_& m);

// The one place a kernel Status becomes a Python exception: ValueError for bad arguments, RuntimeError else.
void ThrowIfError(Status const& status);

}  // namespace awml::kernels

#endif  // AWML_CPP_TRT_RUNTIME_PYBIND_KERNEL_BINDINGS_H_
