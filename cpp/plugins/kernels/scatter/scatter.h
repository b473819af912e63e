// Pillar features [P, C] -> BEV canvas [1, C, H, W] (PointPillarsScatter), TensorRT-free launcher API.
//
// canvas[c * H * W + y * W + x] = features[p * C + c] for p < min(*pillar_count, max_pillars), where
// (z, y, x) = coords[p]. Pillars whose coordinates fall outside the canvas are skipped. With
// clear_canvas the whole canvas is zeroed first (every frame needs it unless the caller clears it).
#ifndef AWML_CPP_PLUGINS_KERNELS_SCATTER_SCATTER_H_
#define AWML_CPP_PLUGINS_KERNELS_SCATTER_SCATTER_H_

#include <cstddef>
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

// Device pointers; the pillar count is read on the device. Clears the canvas (memset), then scatters.
[[nodiscard]] Status ScatterCuda(ScatterConfig const& config, float const* pillar_features, int32_t const* coords,
                                 int32_t const* pillar_count, float* canvas, StreamHandle stream);

// Bytes of device workspace ScatterDenseCuda needs: a cell -> pillar map, grid_x * grid_y int32.
[[nodiscard]] Status ScatterDenseCudaWorkspaceBytes(ScatterConfig const& config, size_t* bytes);

// The canvas of ScatterCpu with clear_canvas = true, written in one pass: every canvas element exactly once, in
// coalesced stores (no separate clear and no scattered writes), from a cell -> pillar map built in the same
// cooperative launch. Where pillars share a cell the last one wins, as on the CPU. clear_canvas must be true.
// `workspace` needs no initialisation and may be reused freely between calls. No host synchronisation.
[[nodiscard]] Status ScatterDenseCuda(ScatterConfig const& config, float const* pillar_features, int32_t const* coords,
                                      int32_t const* pillar_count, float* canvas, void* workspace,
                                      size_t workspace_bytes, StreamHandle stream);

}  // namespace awml::kernels

#endif  // AWML_CPP_PLUGINS_KERNELS_SCATTER_SCATTER_H_
