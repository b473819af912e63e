// The y-axis head convention (export with rot_y_axis_reference, Autoware's) back to mmdet3d's, in place:
//   dim (w, l, h) -> (l, w, h);   rot (-cos, -sin) -> (sin, cos).
// The inverse of the export's rewrite (projects/centerpoint/export.py) and the twin of the Python pipelines'
// from_y_axis. CPU and CUDA results are identical (a swap and a negation).
#ifndef AWML_CPP_TRT_RUNTIME_HEAD_LAYOUT_H_
#define AWML_CPP_TRT_RUNTIME_HEAD_LAYOUT_H_

#include <cstdint>

#include "cpp/common/status.h"
#include "cpp/common/stream_handle.h"

namespace awml::trt {

//! `dim` is [3, plane] and `rot` [2, plane] float32 (plane = H * W), host memory.
Status HeadFromYAxisCpu(float* dim, float* rot, int64_t plane);
//! The same on device memory, enqueued on `stream` (no host synchronisation).
Status HeadFromYAxisCuda(float* dim, float* rot, int64_t plane, StreamHandle stream);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_HEAD_LAYOUT_H_
