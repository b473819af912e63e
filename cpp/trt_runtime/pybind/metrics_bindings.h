// 3D detection metrics bindings for awml_deploy._native: the metrics CLI's native fast path (FRAMES.json bytes
// in, counts, AP and APH out, no Python object per box) and a columns entry point for tests.
#ifndef AWML_CPP_TRT_RUNTIME_PYBIND_METRICS_BINDINGS_H_
#define AWML_CPP_TRT_RUNTIME_PYBIND_METRICS_BINDINGS_H_

#include <pybind11/pybind11.h>

namespace awml::metrics {

// metrics_detection3d_json / _file (FRAMES.json -> scores), metrics_detection3d_columns and
// metrics_read_frames3d_json (the reader alone, for tests).
void RegisterMetrics(pybind11::module_& m);

}  // namespace awml::metrics

#endif  // AWML_CPP_TRT_RUNTIME_PYBIND_METRICS_BINDINGS_H_
