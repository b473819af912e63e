// The pairwise suppression test, shared verbatim by the CPU and CUDA circle NMS.
#ifndef AWML_CPP_PLUGINS_KERNELS_CIRCLE_NMS_SUPPRESS_H_
#define AWML_CPP_PLUGINS_KERNELS_CIRCLE_NMS_SUPPRESS_H_

#include "cpp/common/host_device.h"
#include "cpp/plugins/kernels/decode/head_math.h"

namespace awml::kernels::circle {

AWML_HOST_DEVICE bool Suppresses(float xi, float yi, float li, float xj, float yj, float lj, float squared_radius,
                                 bool inclusive, bool per_class) {
  if (per_class && li != lj) return false;
  float const dx = head_math::Sub(xi, xj), dy = head_math::Sub(yi, yj);
  float const d2 = head_math::Add(head_math::Mul(dx, dx), head_math::Mul(dy, dy));
  return inclusive ? d2 <= squared_radius : d2 < squared_radius;
}

}  // namespace awml::kernels::circle

#endif  // AWML_CPP_PLUGINS_KERNELS_CIRCLE_NMS_SUPPRESS_H_
