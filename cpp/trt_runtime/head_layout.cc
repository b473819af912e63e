#include "cpp/trt_runtime/head_layout.h"

#include <utility>

namespace awml::trt {

Status HeadFromYAxisCpu(float* dim, float* rot, int64_t plane) {
  if (dim == nullptr || rot == nullptr || plane < 0) {
    return InvalidArgumentError("head layout | null tensor or negative plane size");
  }
  for (int64_t i = 0; i < plane; ++i) {
    std::swap(dim[i], dim[plane + i]);
    float const neg_cos = rot[i];
    float const neg_sin = rot[plane + i];
    rot[i] = -neg_sin;
    rot[plane + i] = -neg_cos;
  }
  return OkStatus();
}

}  // namespace awml::trt
