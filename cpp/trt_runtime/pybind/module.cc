// awml_deploy._native: the only Python extension module. Kernels always; TensorRT where it was built.
#include <pybind11/pybind11.h>

#include "cpp/trt_runtime/pybind/kernel_bindings.h"
#include "cpp/trt_runtime/pybind/metrics_bindings.h"
#include "cpp/trt_runtime/pybind/runtime_bindings.h"
#include "cpp/trt_runtime/pybind/trt_bindings.h"

PYBIND11_MODULE(_native, m) {
  m.doc() =
      "awml-deploy native code: CenterPoint kernels, 3D detection metrics, the CenterPoint runtime and the TensorRT "
      "runtime.";
  awml::kernels::RegisterKernels(m);
  awml::metrics::RegisterMetrics(m);
  awml::trt::RegisterTrt(m);
  awml::trt::RegisterRuntime(m);
}
