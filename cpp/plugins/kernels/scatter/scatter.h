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
#include "cpp/plugins/kernels/voxelize/voxelize.h"

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

// ScatterSparseCuda: the canvas of ScatterCpu with clear_canvas = true, writing only what changed. The canvas is cut
// into groups of kScatterGroupCells consecutive cells (flat y * W + x); a call writes, in every channel, only the
// groups that hold a pillar now or held one after the previous call (new values, or zeros where they no longer hold
// one), in whole 32-byte sectors; every other group is already zero. So the canvas must hold what the previous call on
// the same state left, or the call must follow ScatterSparseCudaReset: the state remembers the canvas pointer and the
// grid, and a call with another canvas or grid writes the whole canvas, but it cannot see writes made by anyone
// else. Where pillars share a cell the last one wins, as on the CPU. No host synchronisation.
// tests/cpp/kernels/pillars_cuda_test.cc checks it, and ScatterSparseCellsCuda below, against the CPU on a GPU.
constexpr int kScatterGroupCells = 8;

// Bytes of device state ScatterSparseCuda keeps between calls (a header, an 8-byte cell -> pillar map, 4 bytes per
// group).
[[nodiscard]] Status ScatterSparseCudaStateBytes(ScatterConfig const& config, size_t* bytes);

// Marks every group as written, so that the next ScatterSparseCuda on this state writes the whole canvas. Call it
// once after allocating the state and whenever anything other than ScatterSparseCuda wrote the canvas. Enqueued on
// `stream`; no host synchronisation.
[[nodiscard]] Status ScatterSparseCudaReset(ScatterConfig const& config, void* state, size_t state_bytes,
                                            StreamHandle stream);

// clear_canvas must be true (the result is the cleared-and-scattered canvas). Device pointers; the pillar count is
// read on the device.
[[nodiscard]] Status ScatterSparseCuda(ScatterConfig const& config, float const* pillar_features, int32_t const* coords,
                                       int32_t const* pillar_count, float* canvas, void* state, size_t state_bytes,
                                       StreamHandle stream);

// ScatterSparseCuda's canvas, for pillars made by the voxeliser: their cells come from the voxeliser's cell map
// (VoxelizeCudaCellMap, voxelize.h; nx x ny must be the canvas's grid) instead of from their coordinates, so the call
// is one pass over the groups, with no pass over the pillars and no grid-wide barrier. The map must be the one of the
// frame whose pillar count `pillar_count` points to (the voxeliser's own counter). Same state as ScatterSparseCuda,
// same contract on the canvas; the two may take turns on one state. The runtime's scatter (CenterPointRuntime).
[[nodiscard]] Status ScatterSparseCellsCuda(ScatterConfig const& config, float const* pillar_features,
                                            VoxelCellMap const& cells, int32_t const* pillar_count, float* canvas,
                                            void* state, size_t state_bytes, StreamHandle stream);

}  // namespace awml::kernels

#endif  // AWML_CPP_PLUGINS_KERNELS_SCATTER_SCATTER_H_
