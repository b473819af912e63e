// CPU reference for the circle NMS (greedy, score order).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/circle_nms/suppress.h"
#include "cpp/plugins/kernels/decode/head_math.h"

namespace awml::kernels {

Status ValidateCircleNmsConfig(CircleNmsConfig const& c) {
  if (c.max_boxes < 1 || c.max_boxes > kMaxCandidates) {
    return InvalidArgumentError("circle nms | max_boxes must be in 1.." + std::to_string(kMaxCandidates) +
                                ". Note: got " + std::to_string(c.max_boxes));
  }
  if (c.max_output < 1) {
    return InvalidArgumentError("circle nms | max_output must be >= 1. Note: got " + std::to_string(c.max_output));
  }
  if (!(c.squared_radius >= 0.0f) || c.squared_radius == INFINITY) {
    return InvalidArgumentError("circle nms | squared_radius must be finite and >= 0. Note: got " +
                                std::to_string(c.squared_radius));
  }
  return OkStatus();
}

Status CircleNmsCpu(CircleNmsConfig const& config, float const* boxes, int32_t const* num_boxes, float* out_boxes,
                    int32_t* num_out) {
  Status s = ValidateCircleNmsConfig(config);
  if (!s.ok()) return s;
  if (boxes == nullptr || num_boxes == nullptr || out_boxes == nullptr || num_out == nullptr) {
    return InvalidArgumentError("circle nms | a required pointer is null");
  }
  int const n = std::clamp(*num_boxes, 0, config.max_boxes);
  std::vector<std::pair<uint64_t, int>> order(n);
  for (int i = 0; i < n; ++i) {
    order[i] = {head_math::ScoreKey(boxes[i * kBoxFields + kBoxScore], static_cast<uint32_t>(i)), i};
  }
  if (!config.input_sorted) std::sort(order.begin(), order.end());
  std::vector<char> removed(n, 0);
  int kept = 0;
  for (int r = 0; r < n && kept < config.max_output; ++r) {
    if (removed[r]) continue;
    float const* bi = boxes + order[r].second * kBoxFields;
    std::copy_n(bi, kBoxFields, out_boxes + static_cast<size_t>(kept) * kBoxFields);
    ++kept;
    for (int q = r + 1; q < n; ++q) {
      float const* bj = boxes + order[q].second * kBoxFields;
      if (!removed[q] && circle::Suppresses(bi[kBoxX], bi[kBoxY], bi[kBoxLabel], bj[kBoxX], bj[kBoxY], bj[kBoxLabel],
                                            config.squared_radius, config.inclusive, config.per_class)) {
        removed[q] = 1;
      }
    }
  }
  *num_out = kept;
  return OkStatus();
}

}  // namespace awml::kernels
