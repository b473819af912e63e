// TensorRT runtime bindings for awml_deploy._native. The module's init calls RegisterTrt(m) once.
// Built with AWML_HAVE_TENSORRT=1 (TensorRT present) it exposes build_engine and TrtRunner (the
// CenterPointRuntime is runtime_bindings.h); without it only TENSORRT_AVAILABLE = False, tensorrt_status() and the
// TensorRT-free precision_recipe().
#ifndef AWML_CPP_TRT_RUNTIME_PYBIND_TRT_BINDINGS_H_
#define AWML_CPP_TRT_RUNTIME_PYBIND_TRT_BINDINGS_H_

#include <pybind11/pybind11.h>

namespace awml::trt {

void RegisterTrt(pybind11::module_& m);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_PYBIND_TRT_BINDINGS_H_
