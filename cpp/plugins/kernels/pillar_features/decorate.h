// One pillar's feature decoration, shared verbatim by the CPU and CUDA implementations.
// Every float operation is written with explicit rounding so nvcc cannot contract it into an FMA.
#ifndef AWML_CPP_PLUGINS_KERNELS_PILLAR_FEATURES_DECORATE_H_
#define AWML_CPP_PLUGINS_KERNELS_PILLAR_FEATURES_DECORATE_H_

#include <cstdint>

#include "cpp/common/exact_float.h"
#include "cpp/common/host_device.h"
#include "cpp/plugins/kernels/voxelize/cell_index.h"

namespace awml::kernels::decorate {

using exact::Add;
using exact::Mul;
using exact::Sub;

// Pillar-level constants: the xyz mean and the cell centre.
struct PillarFrame {
  float mean[3];
  float center[3];
};

// Pillar frame from the float32 sequential sums of x, y, z over the pillar's `n` points; coords (z, y, x).
AWML_HOST_DEVICE PillarFrame FrameFromSums(PillarGridF const& g, float const* sum, int n, int32_t const* zyx) {
  PillarFrame fr;
  float const count = static_cast<float>(n);
  for (int d = 0; d < 3; ++d) fr.mean[d] = n > 0 ? sum[d] / count : 0.0f;
  fr.center[0] = Add(Mul(static_cast<float>(zyx[2]), g.voxel_x), g.offset_x);
  fr.center[1] = Add(Mul(static_cast<float>(zyx[1]), g.voxel_y), g.offset_y);
  fr.center[2] = Add(Mul(static_cast<float>(zyx[0]), g.voxel_z), g.offset_z);
  return fr;
}

// `points` is one pillar's [max_points, f] block; `n` its valid count; coords (z, y, x).
AWML_HOST_DEVICE PillarFrame MakeFrame(PillarGridF const& g, float const* points, int n, int f, int32_t const* zyx) {
  float sum[3] = {0.0f, 0.0f, 0.0f};
  for (int k = 0; k < n; ++k) {
    for (int d = 0; d < 3; ++d) sum[d] = Add(sum[d], points[k * f + d]);
  }
  return FrameFromSums(g, sum, n, zyx);
}

// Writes one output row of `out_f` features for point `p` (f input features).
AWML_HOST_DEVICE void DecoratePoint(PillarFrame const& fr, float const* p, int f, bool center_z, float* row) {
  for (int d = 0; d < f; ++d) row[d] = p[d];
  for (int d = 0; d < 3; ++d) row[f + d] = Sub(p[d], fr.mean[d]);
  row[f + 3] = Sub(p[0], fr.center[0]);
  row[f + 4] = Sub(p[1], fr.center[1]);
  if (center_z) row[f + 5] = Sub(p[2], fr.center[2]);
}

}  // namespace awml::kernels::decorate

#endif  // AWML_CPP_PLUGINS_KERNELS_PILLAR_FEATURES_DECORATE_H_
