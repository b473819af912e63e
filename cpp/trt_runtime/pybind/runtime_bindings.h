// CenterPointRuntime bindings for awml_deploy._native (TensorRT-free; TensorRT plans where it was built):
// PythonEngine (a Python callable behind the C++ Engine interface) and CenterPointRuntime.
#ifndef AWML_CPP_TRT_RUNTIME_PYBIND_RUNTIME_BINDINGS_H_
#define AWML_CPP_TRT_RUNTIME_PYBIND_RUNTIME_BINDINGS_H_

#include <pybind11/pybind11.h>

namespace awml::trt {

void RegisterRuntime(pybind11::module_& m);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_PYBIND_RUNTIME_BINDINGS_H_
