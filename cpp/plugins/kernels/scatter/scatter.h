// Pillar features [P, C] -> BEV canvas [1, C, H, W] (PointPillarsScatter), TensorRT-free launcher API.
//
// canvas[c * H * W + y * W + x] = features[p * C + c] for p < min(*pillar_count, max_pillars), where
// (z, y, x) = coords[p]. Pillars whose coordinates fall outside the canvas are skipped. With
// clear_canvas the whole canvas is zeroed first (every frame needs it unless the caller clears it).
#ifndef AWML_CPP_PLUGINS_KERNELS_SCATTER_SCATTER_H_
#define AWML_CPP_PLUGINS_KERNELS_SCATTER_SCATTER_H_

#include <cstdint>

#include "cpp/common/status.h"
#include "cpp/common/stream_handle.h"

namespace awml::kernels {

struct ScatterConfig {
  int num_channels = 32;  // C
  int grid_x = 480;       // W
  int grid_y = 480;       // H
  int max_pillars = 40000;
  bool clear_canvas = true;
};

[[nodiscard]] Status ValidateScatterConfig(ScatterConfig const& config);

[[nodiscard]] Status ScatterCpu(ScatterConfig const& config, float const* pillar_features, int32_t const* coords,
                                int32_t const* pillar_count, float* canvas);

// Device pointers; the pillar count is read on the device.
[[nodiscard]] Status ScatterCuda(ScatterConfig const& config, float const* pillar_features, int32_t const* coords,
                                 int32_t const* pillar_count, float* canvas, StreamHandle stream);

}  // namespace awml::kernels

#endif  // AWML_CPP_PLUGINS_KERNELS_SCATTER_SCATTER_H_
