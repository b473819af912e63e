// PointPillars feature decoration (encoder input of CenterPoint engine A), TensorRT-free launcher API.
//
// For pillar p < min(*pillar_count, max_pillars) and point slot k < points_per_pillar[p] the output row is
//   [x, y, z, extra_0 .. extra_{F-4}, x - mean_x, y - mean_y, z - mean_z, x - xc, y - yc, (z - zc)]
// where mean is the float32 sequential sum over the pillar's points divided by their count, and
// xc = ix * voxel_x + offset_x (offset = voxel / 2 + min), exactly as mmdet3d's PillarFeatureNet
// (legacy=False). F = 4 without the z centre gives Autoware's 9 features, F = 4 with it 10, F = 5 with it 11.
// Slots k >= points_per_pillar[p] are zero. Rows p >= pillar count are left untouched.
#ifndef AWML_CPP_PLUGINS_KERNELS_PILLAR_FEATURES_PILLAR_FEATURES_H_
#define AWML_CPP_PLUGINS_KERNELS_PILLAR_FEATURES_PILLAR_FEATURES_H_

#include <cstddef>
#include <cstdint>

#include "cpp/common/status.h"
#include "cpp/common/stream_handle.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"

namespace awml::kernels {

struct PillarFeaturesConfig {
  PillarGrid grid;
  int num_point_features = 4;  // F of the voxeliser's pillar_points
  int max_points_per_pillar = 32;
  int max_pillars = 40000;
  bool use_voxel_center_z = false;  // add z - zc (10 or 11 features)
};

// F + 3 + (2 or 3).
int PillarFeatureCount(PillarFeaturesConfig const& config);

[[nodiscard]] Status ValidatePillarFeaturesConfig(PillarFeaturesConfig const& config, PillarGridF* grid);

// Inputs are the voxeliser's outputs; `pillar_count` points at its counters[kPillarCount].
// `features` is [max_pillars, max_points_per_pillar, PillarFeatureCount(config)].
[[nodiscard]] Status PillarFeaturesCpu(PillarFeaturesConfig const& config, float const* pillar_points,
                                       int32_t const* points_per_pillar, int32_t const* coords,
                                       int32_t const* pillar_count, float* features);

// Same on the device: every pointer is device memory, the count is read on the device.
[[nodiscard]] Status PillarFeaturesCuda(PillarFeaturesConfig const& config, float const* pillar_points,
                                        int32_t const* points_per_pillar, int32_t const* coords,
                                        int32_t const* pillar_count, float* features, StreamHandle stream);

// PillarFeaturesSparseCuda: the same output, writing only what changed. `state` remembers, per pillar row, how many
// point slots the previous call left non-zero; a row is written up to the larger of that and its new point count
// (new points, then zeros), so a slot that was zero and stays zero is not written again. The features buffer must
// hold what the previous call on this state wrote, or the state must be fresh from PillarFeaturesSparseCudaReset
// (once after allocating it, and whenever anything else wrote the buffer or the config changed). With more than 32
// points per pillar it writes every slot (the state is then unused). No host synchronisation. The runtime's decoration
// (CenterPointRuntime); tests/cpp/kernels/pillars_cuda_test.cc checks it against the CPU on a GPU.
[[nodiscard]] Status PillarFeaturesSparseCudaStateBytes(PillarFeaturesConfig const& config, size_t* bytes);
[[nodiscard]] Status PillarFeaturesSparseCudaReset(PillarFeaturesConfig const& config, void* state, size_t state_bytes,
                                                   StreamHandle stream);
[[nodiscard]] Status PillarFeaturesSparseCuda(PillarFeaturesConfig const& config, float const* pillar_points,
                                              int32_t const* points_per_pillar, int32_t const* coords,
                                              int32_t const* pillar_count, float* features, void* state,
                                              size_t state_bytes, StreamHandle stream);

}  // namespace awml::kernels

#endif  // AWML_CPP_PLUGINS_KERNELS_PILLAR_FEATURES_PILLAR_FEATURES_H_
