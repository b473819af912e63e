// Circle NMS over decoded boxes (CenterPoint), TensorRT-free launcher API.
//
// Boxes (kBoxFields floats each, see decode.h) are ordered by score descending, ties by input position
// (input_sorted skips this and takes the input order as the rank), then swept greedily: a box is kept unless a kept,
// higher-ranked box lies within the radius, measured by the squared 2-D centre distance d2 = (xi - xj)^2 + (yi - yj)^2
// in float32:
//   inclusive = false: suppressed when d2 <  squared_radius (Autoware, radius 0.5 m -> 0.25)
//   inclusive = true:  suppressed when d2 <= squared_radius (mmdet3d circle_nms with thresh = min_radius)
// per_class restricts suppression to boxes of the same label. At most max_output kept boxes are written,
// in rank order. The CUDA path is one cooperative launch: rank, the suppression bit mask over the grid, a greedy
// sweep in one block. With suppressor_lists (CUDA only; CenterPointRuntime sets it: centerpoint_config.cc) the grid
// lists every box's higher-ranked suppressors instead and one block resolves the lists in parallel rounds (a box is
// removed once a suppressor is kept, kept once all are removed); where a box has more than 16 suppressors the launch
// falls back to the mask. Every way gives CircleNmsCpu's result (H100 timings: bench/results/README.md).
#ifndef AWML_CPP_PLUGINS_KERNELS_CIRCLE_NMS_CIRCLE_NMS_H_
#define AWML_CPP_PLUGINS_KERNELS_CIRCLE_NMS_CIRCLE_NMS_H_

#include <cstddef>
#include <cstdint>

#include "cpp/common/status.h"
#include "cpp/common/stream_handle.h"
#include "cpp/plugins/kernels/decode/decode.h"

namespace awml::kernels {

struct CircleNmsConfig {
  int max_boxes = 4096;  // capacity of the input, <= kMaxCandidates
  float squared_radius = 0.25f;
  bool inclusive = false;
  bool per_class = false;
  int max_output = 4096;          // mmdet3d post_max_size
  bool input_sorted = false;      // boxes already in rank order (DecodeCuda/DecodeCpu output): skip the sort
  bool suppressor_lists = false;  // CUDA: resolve suppressor lists in parallel instead of sweeping the mask
};

[[nodiscard]] Status ValidateCircleNmsConfig(CircleNmsConfig const& config);

// `boxes` is [max_boxes, kBoxFields]; `num_boxes` is clamped to [0, max_boxes]. `out_boxes` is
// [max_output, kBoxFields]; `num_out` receives the number written.
[[nodiscard]] Status CircleNmsCpu(CircleNmsConfig const& config, float const* boxes, int32_t const* num_boxes,
                                  float* out_boxes, int32_t* num_out);

[[nodiscard]] Status CircleNmsCudaWorkspaceBytes(CircleNmsConfig const& config, size_t* bytes);

// Device pointers; the count is read on the device; no host synchronisation, no allocation. The workspace needs no
// initialisation.
[[nodiscard]] Status CircleNmsCuda(CircleNmsConfig const& config, float const* boxes, int32_t const* num_boxes,
                                   float* out_boxes, int32_t* num_out, void* workspace, size_t workspace_bytes,
                                   StreamHandle stream);

}  // namespace awml::kernels

#endif  // AWML_CPP_PLUGINS_KERNELS_CIRCLE_NMS_CIRCLE_NMS_H_
