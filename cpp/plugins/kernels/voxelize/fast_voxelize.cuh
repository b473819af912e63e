// The fast (atomic) voxeliser's device code, shared by VoxelizeCuda (voxelize.cu) and the fused
// voxelize + decorate launcher (pillar_features.cu). For .cu files only.
#ifndef AWML_CPP_PLUGINS_KERNELS_VOXELIZE_FAST_VOXELIZE_CUH_
#define AWML_CPP_PLUGINS_KERNELS_VOXELIZE_FAST_VOXELIZE_CUH_

#include <cooperative_groups.h>

#include <cstdint>

#include "cpp/common/workspace_carver.h"
#include "cpp/plugins/kernels/voxelize/cell_index.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"

namespace awml::kernels::fast_voxelize {

namespace cg = cooperative_groups;

// Adds the number of lanes with `pred` to *counter with one atomic per warp.
__device__ __forceinline__ void WarpCount(bool pred, int32_t* counter) {
  unsigned const active = __activemask();
  unsigned const votes = __ballot_sync(active, pred);
  if (pred && (threadIdx.x & 31) == static_cast<unsigned>(__ffs(votes) - 1)) atomicAdd(counter, __popc(votes));
}

__device__ __forceinline__ int PointCellAt(PillarGridF const& g, float const* points, int64_t i, int f, int* ix,
                                           int* iy) {
  float const* p = points + i * f;
  return PointCell(g, p[0], p[1], p[2], ix, iy);
}

__device__ __forceinline__ void CopyPoint(float const* src, float* dst, int f) {
  for (int d = 0; d < f; ++d) dst[d] = src[d];
}

struct FastWorkspace {
  int32_t *cell_count, *cell_pillar, *cells, *slots, *total;
};

struct FastArgs {
  PillarGridF g;
  float const* points;
  int n, f, max_pts, max_pillars, num_cells;
  bool zero_unused_slots;
  FastWorkspace w;
  VoxelizeOutputs out;
};

constexpr int kFastThreads = 256;

// Phase 1 for point i (valid): its cell, its slot in the cell (atomic arrival order), and for the first point of
// a cell a pillar id; new pillars take consecutive ids with one atomic per warp (the counter only grows: nothing
// wraps). Every lane of the warp calls it (valid = false past the end), so the warp votes are over full warps.
__device__ __forceinline__ void FastCell(FastArgs const& a, int i, bool valid) {
  int ix = 0, iy = 0;
  int const cell = valid ? PointCellAt(a.g, a.points, i, a.f, &ix, &iy) : -1;
  WarpCount(valid && cell < 0, &a.out.counters[kPointsOutOfRange]);
  int32_t slot = -1;
  if (valid) {
    a.w.cells[i] = cell;
    if (cell >= 0) {
      slot = atomicAdd(&a.w.cell_count[cell], 1);
      a.w.slots[i] = slot;
    }
  }
  bool const creator = slot == 0;
  unsigned const votes = __ballot_sync(0xffffffffu, creator);
  if (votes == 0) return;
  int const lane = threadIdx.x & 31;
  int const leader = __ffs(votes) - 1;
  int32_t base = 0;
  if (lane == leader) base = atomicAdd(a.w.total, __popc(votes));
  base = __shfl_sync(0xffffffffu, base, leader);
  if (!creator) return;
  int32_t const pid = base + __popc(votes & ((1u << lane) - 1u));
  if (pid < a.max_pillars) {
    a.w.cell_pillar[cell] = pid;
    a.out.coords[3 * pid + 0] = 0;
    a.out.coords[3 * pid + 1] = iy;
    a.out.coords[3 * pid + 2] = ix;
  } else {
    a.w.cell_pillar[cell] = -1;
  }
}

// Phase 2 for point i (valid): copy it into its pillar slot; the cell's first point writes the pillar's count.
__device__ __forceinline__ void FastFill(FastArgs const& a, int i, bool valid) {
  int32_t const cell = valid ? a.w.cells[i] : -1;
  int32_t const pid = cell >= 0 ? a.w.cell_pillar[cell] : 0;
  WarpCount(cell >= 0 && pid < 0, &a.out.counters[kPointsDroppedNoPillar]);
  bool const placed = cell >= 0 && pid >= 0;
  int32_t const slot = placed ? a.w.slots[i] : 0;
  WarpCount(placed && slot >= a.max_pts, &a.out.counters[kPointsDroppedPillarFull]);
  if (!placed) return;
  if (slot < a.max_pts) {
    CopyPoint(a.points + static_cast<int64_t>(i) * a.f,
              a.out.pillar_points + (static_cast<int64_t>(pid) * a.max_pts + slot) * a.f, a.f);
  }
  if (slot == 0) {
    int32_t const c = a.w.cell_count[cell];
    a.out.points_per_pillar[pid] = c < a.max_pts ? c : a.max_pts;
  }
}

// Phases 0-2 (and 3 with zero_unused_slots) of the fast voxeliser; every thread of a cooperative grid calls it.
// On return the outputs are complete for this thread's share; a grid.sync() makes them visible to all.
__device__ __forceinline__ void FastVoxelizePhases(FastArgs const& a, cg::grid_group& grid) {
  int64_t const stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t const tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  // Phase 0: clear the cell counts (int4 stores), the pillar counter and the output counters.
  int64_t const quads = a.num_cells / 4;
  int4* count4 = reinterpret_cast<int4*>(a.w.cell_count);
  for (int64_t q = tid; q < quads; q += stride) count4[q] = make_int4(0, 0, 0, 0);
  for (int64_t c = quads * 4 + tid; c < a.num_cells; c += stride) a.w.cell_count[c] = 0;
  if (tid < kNumVoxelizeCounters) a.out.counters[tid] = 0;
  if (tid == 0) *a.w.total = 0;
  grid.sync();
  // Phase 1: cells, slots and pillar ids. Warp-uniform loops: every lane runs the same iterations.
  for (int64_t base = static_cast<int64_t>(blockIdx.x) * blockDim.x; base < a.n; base += stride) {
    int64_t const i = base + threadIdx.x;
    FastCell(a, static_cast<int>(i), i < a.n);
  }
  grid.sync();
  // Phase 2: copy the points into their pillars; the pillar count and drop counters.
  if (tid == 0) {
    int32_t const t = *a.w.total;
    a.out.counters[kPillarCount] = t < a.max_pillars ? t : a.max_pillars;
    a.out.counters[kPillarsDropped] = t > a.max_pillars ? t - a.max_pillars : 0;
  }
  for (int64_t base = static_cast<int64_t>(blockIdx.x) * blockDim.x; base < a.n; base += stride) {
    int64_t const i = base + threadIdx.x;
    FastFill(a, static_cast<int>(i), i < a.n);
  }
  if (!a.zero_unused_slots) return;
  grid.sync();
  // Phase 3: zero the unused point slots of the written pillars.
  int32_t const t = *a.w.total;
  int64_t const slots = static_cast<int64_t>(t < a.max_pillars ? t : a.max_pillars) * a.max_pts;
  for (int64_t e = tid; e < slots; e += stride) {
    int32_t const pid = static_cast<int32_t>(e / a.max_pts);
    int32_t const slot = static_cast<int32_t>(e % a.max_pts);
    if (slot < a.out.points_per_pillar[pid]) continue;
    float* dst = a.out.pillar_points + e * a.f;
    for (int d = 0; d < a.f; ++d) dst[d] = 0.0f;
  }
}

// The fast path's workspace, carved from `base` (null: only measure). `n` is the point capacity.
inline FastWorkspace CarveFast(PillarGridF const& g, int64_t n, void* base, size_t* bytes) {
  size_t const cells = static_cast<size_t>(g.nx) * g.ny;
  size_t const np = static_cast<size_t>(n > 0 ? n : 1);
  WorkspaceCarver w(base);
  FastWorkspace fast;
  fast.cell_count = w.Take<int32_t>(cells);
  fast.cell_pillar = w.Take<int32_t>(cells);
  fast.cells = w.Take<int32_t>(np);
  fast.slots = w.Take<int32_t>(np);
  fast.total = w.Take<int32_t>(1);
  *bytes = w.bytes();
  return fast;
}

}  // namespace awml::kernels::fast_voxelize

#endif  // AWML_CPP_PLUGINS_KERNELS_VOXELIZE_FAST_VOXELIZE_CUH_
