// Point -> pillar cell, shared verbatim by the CPU and CUDA voxelisers so both round identically.
#ifndef AWML_CPP_PLUGINS_KERNELS_VOXELIZE_CELL_INDEX_H_
#define AWML_CPP_PLUGINS_KERNELS_VOXELIZE_CELL_INDEX_H_

#include <cmath>
#include <cstdint>

#include "cpp/common/host_device.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"

namespace awml::kernels {

// Returns the cell index iy * nx + ix, or -1 when the point is out of range, NaN or Inf (CellCoords inverts it).
AWML_HOST_DEVICE int PointCell(PillarGridF const& g, float x, float y, float z) {
  // Written so that NaN fails every comparison.
  if (!(x >= g.min_x && x < g.max_x && y >= g.min_y && y < g.max_y && z >= g.min_z && z < g.max_z)) {
    return -1;
  }
  int ix = static_cast<int>(floorf((x - g.min_x) / g.voxel_x));
  int iy = static_cast<int>(floorf((y - g.min_y) / g.voxel_y));
  ix = ix < 0 ? 0 : (ix >= g.nx ? g.nx - 1 : ix);
  iy = iy < 0 ? 0 : (iy >= g.ny ? g.ny - 1 : iy);
  return iy * g.nx + ix;
}

// A pillar's coordinates (z, y, x) = (0, iy, ix) from its cell iy * nx + ix (PointCell's), on a grid nx cells wide.
AWML_HOST_DEVICE void CellCoords(int nx, int cell, int32_t* zyx) {
  zyx[0] = 0;
  zyx[1] = cell / nx;
  zyx[2] = cell % nx;
}

}  // namespace awml::kernels

#endif  // AWML_CPP_PLUGINS_KERNELS_VOXELIZE_CELL_INDEX_H_
