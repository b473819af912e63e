// CPU reference for the pillar scatter.
#include <algorithm>
#include <string>

#include "cpp/plugins/kernels/scatter/scatter.h"

namespace awml::kernels {

Status ValidateScatterConfig(ScatterConfig const& config) {
  if (config.num_channels < 1 || config.num_channels > 4096) {
    return InvalidArgumentError("scatter | num_channels must be in 1..4096. Note: got " +
                                std::to_string(config.num_channels));
  }
  if (config.grid_x < 1 || config.grid_y < 1 || config.grid_x > 16384 || config.grid_y > 16384) {
    return InvalidArgumentError("scatter | grid_x and grid_y must be in 1..16384. Note: got " +
                                std::to_string(config.grid_x) + " x " + std::to_string(config.grid_y));
  }
  if (config.max_pillars < 0 || config.max_pillars > (1 << 24)) {
    return InvalidArgumentError("scatter | max_pillars must be in 0..16777216. Note: got " +
                                std::to_string(config.max_pillars));
  }
  return OkStatus();
}

Status ScatterCpu(ScatterConfig const& config, float const* pillar_features, int32_t const* coords,
                  int32_t const* pillar_count, float* canvas) {
  Status s = ValidateScatterConfig(config);
  if (!s.ok()) return s;
  if (pillar_features == nullptr || coords == nullptr || pillar_count == nullptr || canvas == nullptr) {
    return InvalidArgumentError("scatter | a required pointer is null");
  }
  int64_t const plane = static_cast<int64_t>(config.grid_x) * config.grid_y;
  int const c_count = config.num_channels;
  if (config.clear_canvas) std::fill(canvas, canvas + plane * c_count, 0.0f);
  int32_t const count = std::clamp(*pillar_count, 0, config.max_pillars);
  for (int32_t p = 0; p < count; ++p) {
    int32_t const y = coords[3 * p + 1];
    int32_t const x = coords[3 * p + 2];
    if (x < 0 || y < 0 || x >= config.grid_x || y >= config.grid_y) continue;
    int64_t const cell = static_cast<int64_t>(y) * config.grid_x + x;
    float const* f = pillar_features + static_cast<int64_t>(p) * c_count;
    for (int c = 0; c < c_count; ++c) canvas[c * plane + cell] = f[c];
  }
  return OkStatus();
}

}  // namespace awml::kernels
