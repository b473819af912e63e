// CUDA voxeliser: kDeterministic (first appearance, input order; equals VoxelizeCpu) and kFast (atomics).
#include <cooperative_groups.h>
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>

#include <algorithm>
#include <climits>
#include <cstdint>

#include "cpp/common/cooperative_launch.h"
#include "cpp/common/cuda_status.h"
#include "cpp/common/warp_append.cuh"
#include "cpp/common/workspace_carver.h"
#include "cpp/plugins/kernels/voxelize/cell_index.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"

namespace awml::kernels {
namespace {

namespace cg = cooperative_groups;

// Adds the number of lanes with `pred` to *counter with one atomic per warp.
__device__ __forceinline__ void WarpCount(bool pred, int32_t* counter) {
  unsigned const active = __activemask();
  unsigned const votes = __ballot_sync(active, pred);
  if (pred && (threadIdx.x & 31) == static_cast<unsigned>(__ffs(votes) - 1)) atomicAdd(counter, __popc(votes));
}

__device__ __forceinline__ int PointCellAt(PillarGridF const& g, float const* points, int64_t i, int f) {
  float const* p = points + i * f;
  return PointCell(g, p[0], p[1], p[2]);
}

__device__ __forceinline__ void CopyPoint(float const* src, float* dst, int f) {
  for (int d = 0; d < f; ++d) dst[d] = src[d];
}

// ---- fast path ----

// The fast voxeliser's workspace (the kernel clears cell_count and total).
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

constexpr int kMaxF = 8;      // num_point_features <= 8 (ValidateVoxelizeConfig)
constexpr int kResident = 2;  // points a thread keeps in registers from phase 1 to phase 2

// Point i's features (zeros past F or when not valid).
__device__ __forceinline__ void LoadPoint(FastArgs const& a, int64_t i, bool valid, float* v) {
#pragma unroll
  for (int d = 0; d < kMaxF; ++d) v[d] = valid && d < a.f ? a.points[i * a.f + d] : 0.0f;
}

// Phase 1 for point i (valid, features v), first half: its cell and its slot in the cell (atomic arrival order).
// `spill`: keep cell and slot in the workspace for phase 2 (points not held in registers). Every lane of the warp
// calls it (valid = false past the end), so the warp votes are over full warps.
__device__ __forceinline__ void CellSlot(FastArgs const& a, int64_t i, bool valid, float const* v, bool spill,
                                         int32_t* cell_out, int32_t* slot_out) {
  int const cell = valid ? PointCell(a.g, v[0], v[1], v[2]) : -1;
  WarpCount(valid && cell < 0, &a.out.counters[kPointsOutOfRange]);
  int32_t slot = -1;
  if (cell >= 0) {
    slot = atomicAdd(&a.w.cell_count[cell], 1);
    if (spill) a.w.slots[i] = slot;
  }
  if (spill && valid) a.w.cells[i] = cell;
  *cell_out = cell;
  *slot_out = slot;
}

// Second half, for the first point of a cell (slot 0), which took pillar id `pid` (new pillars take consecutive ids;
// the counter only grows: nothing wraps): the cell's map entry and the pillar's coordinates.
__device__ __forceinline__ void NewPillar(FastArgs const& a, int32_t cell, int32_t pid) {
  if (pid < a.max_pillars) {
    a.w.cell_pillar[cell] = pid;
    CellCoords(a.g.nx, cell, a.out.coords + 3 * pid);
  } else {
    a.w.cell_pillar[cell] = -1;
  }
}

// Phase 1 for a point not held in registers: pillar ids with one atomic per warp.
__device__ __forceinline__ void FastCellSpilled(FastArgs const& a, int64_t i, bool valid, float const* v) {
  int32_t cell = -1, slot = -1;
  CellSlot(a, i, valid, v, true, &cell, &slot);
  int32_t const pid = WarpAppend(slot == 0, a.w.total);
  if (pid >= 0) NewPillar(a, cell, pid);
}

// Phase 2 for a point with its cell (-1: none or not valid), slot and features v: copy it into its pillar slot; the
// cell's first point writes the pillar's count.
__device__ __forceinline__ void FastFill(FastArgs const& a, int32_t cell, int32_t slot, float const* v) {
  int32_t const pid = cell >= 0 ? a.w.cell_pillar[cell] : 0;
  WarpCount(cell >= 0 && pid < 0, &a.out.counters[kPointsDroppedNoPillar]);
  bool const placed = cell >= 0 && pid >= 0;
  WarpCount(placed && slot >= a.max_pts, &a.out.counters[kPointsDroppedPillarFull]);
  if (placed && slot == 0) {
    int32_t const c = a.w.cell_count[cell];
    a.out.points_per_pillar[pid] = c < a.max_pts ? c : a.max_pts;
  }
  if (!placed || slot >= a.max_pts) return;
  float* dst = a.out.pillar_points + (static_cast<int64_t>(pid) * a.max_pts + slot) * a.f;
#pragma unroll
  for (int d = 0; d < kMaxF; ++d) {
    if (d < a.f) dst[d] = v[d];
  }
}

// The fast (atomic) voxeliser in one cooperative launch, its phases separated by grid-wide barriers. A thread's
// first kResident points stay in registers (features, cell, slot) from phase 1 to phase 2; points past
// kResident x grid threads go through the workspace.
__global__ void __launch_bounds__(kFastThreads) FastVoxelizeKernel(FastArgs a) {
  StartAfterPreviousGrid();
  cg::grid_group grid = cg::this_grid();
  int64_t const stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t const tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  // Phase 0: clear the cell counts (int4 stores), the pillar counter and the output counters.
  int64_t const quads = a.num_cells / 4;
  int4* count4 = reinterpret_cast<int4*>(a.w.cell_count);
  for (int64_t q = tid; q < quads; q += stride) count4[q] = make_int4(0, 0, 0, 0);
  for (int64_t c = quads * 4 + tid; c < a.num_cells; c += stride) a.w.cell_count[c] = 0;
  if (tid < kNumVoxelizeCounters) a.out.counters[tid] = 0;
  if (tid == 0) *a.w.total = 0;
  // The resident points' features are loaded before the barrier (independent of the clear).
  float v[kResident][kMaxF];
  int32_t cell[kResident], slot[kResident];
#pragma unroll
  for (int k = 0; k < kResident; ++k) LoadPoint(a, tid + k * stride, tid + k * stride < a.n, v[k]);
  grid.sync();
  // Phase 1: cells, slots and pillar ids. Block-uniform loops: every thread runs the same iterations. The resident
  // points' slot atomics go out together, and their new pillars take ids with one atomic per block.
  for (int k = 0; k < kResident; ++k) {  // unrolled (kResident is a constant): v, cell and slot stay in registers
    int64_t const i = tid + k * stride;
    CellSlot(a, i, i < a.n, v[k], false, &cell[k], &slot[k]);
  }
  {
    bool created[kResident];  // the cell's first point creates its pillar
    int32_t pid[kResident];
#pragma unroll
    for (int k = 0; k < kResident; ++k) created[k] = slot[k] == 0;
    BlockAppend<kFastThreads>(created, a.w.total, pid);
#pragma unroll
    for (int k = 0; k < kResident; ++k) {
      if (pid[k] >= 0) NewPillar(a, cell[k], pid[k]);
    }
  }
  for (int64_t base = static_cast<int64_t>(blockIdx.x) * blockDim.x + kResident * stride; base < a.n; base += stride) {
    int64_t const i = base + threadIdx.x;
    float w[kMaxF];
    LoadPoint(a, i, i < a.n, w);
    FastCellSpilled(a, i, i < a.n, w);
  }
  grid.sync();
  // Phase 2: copy the points into their pillars; the pillar count and drop counters.
  if (tid == 0) {
    int32_t const t = *a.w.total;
    a.out.counters[kPillarCount] = t < a.max_pillars ? t : a.max_pillars;
    a.out.counters[kPillarsDropped] = t > a.max_pillars ? t - a.max_pillars : 0;
  }
#pragma unroll
  for (int k = 0; k < kResident; ++k) FastFill(a, cell[k], slot[k], v[k]);
  for (int64_t base = static_cast<int64_t>(blockIdx.x) * blockDim.x + kResident * stride; base < a.n; base += stride) {
    int64_t const i = base + threadIdx.x;
    bool const valid = i < a.n;
    int32_t const c = valid ? a.w.cells[i] : -1;
    float w[kMaxF];
    LoadPoint(a, i, c >= 0, w);
    FastFill(a, c, c >= 0 ? a.w.slots[i] : 0, w);
  }
  if (!a.zero_unused_slots) return;
  grid.sync();
  // Phase 3: zero the unused point slots of the written pillars.
  int64_t const slots = static_cast<int64_t>(a.out.counters[kPillarCount]) * a.max_pts;
  for (int64_t e = tid; e < slots; e += stride) {
    int32_t const pid = static_cast<int32_t>(e / a.max_pts);
    int32_t const s = static_cast<int32_t>(e % a.max_pts);
    if (s < a.out.points_per_pillar[pid]) continue;
    float* dst = a.out.pillar_points + e * a.f;
    for (int d = 0; d < a.f; ++d) dst[d] = 0.0f;
  }
}

constexpr int kThreads = 256;

int Blocks(int64_t n) { return static_cast<int>((n + kThreads - 1) / kThreads); }

// ---- deterministic path ----

__global__ void CellsKernel(PillarGridF g, float const* points, int n, int f, int num_cells, int32_t* keys,
                            int32_t* vals, int32_t* first, int32_t* counters) {
  int const i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  int const cell = PointCellAt(g, points, i, f);
  WarpCount(cell < 0, &counters[kPointsOutOfRange]);
  keys[i] = cell < 0 ? num_cells : cell;
  vals[i] = i;
  if (cell >= 0) atomicMin(&first[cell], i);
}

__global__ void HeadsKernel(int n, int num_cells, int32_t const* keys, int32_t const* first, int32_t* heads) {
  int const i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  int32_t const cell = keys[i];
  heads[i] = (cell < num_cells && first[cell] == i) ? 1 : 0;
}

__global__ void AssignKernel(int n, int num_cells, int nx, int max_pillars, int32_t const* keys, int32_t const* heads,
                             int32_t const* ranks, int32_t* cell_pillar, int32_t* coords, int32_t* counters) {
  int const i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  if (i == n - 1) {
    int32_t const total = ranks[i] + heads[i];
    counters[kPillarCount] = total < max_pillars ? total : max_pillars;
    counters[kPillarsDropped] = total > max_pillars ? total - max_pillars : 0;
  }
  if (!heads[i]) return;
  int32_t const cell = keys[i];
  int32_t const pid = ranks[i];
  if (pid < max_pillars) {
    cell_pillar[cell] = pid;
    CellCoords(nx, cell, coords + 3 * pid);
  } else {
    cell_pillar[cell] = -1;
  }
}

__global__ void SegmentStartKernel(int n, int num_cells, int32_t const* sorted_keys, int32_t const* cell_pillar,
                                   int32_t* seg_start) {
  int const k = blockIdx.x * blockDim.x + threadIdx.x;
  if (k >= n) return;
  int32_t const cell = sorted_keys[k];
  if (cell >= num_cells || (k > 0 && sorted_keys[k - 1] == cell)) return;
  int32_t const pid = cell_pillar[cell];
  if (pid >= 0) seg_start[pid] = k;
}

__global__ void FillKernel(int n, int num_cells, int f, int max_pts, float const* points, int32_t const* sorted_keys,
                           int32_t const* sorted_vals, int32_t const* cell_pillar, int32_t const* seg_start,
                           float* pillar_points, int32_t* points_per_pillar, int32_t* counters) {
  int const k = blockIdx.x * blockDim.x + threadIdx.x;
  if (k >= n) return;
  int32_t const cell = sorted_keys[k];
  if (cell >= num_cells) return;
  int32_t const pid = cell_pillar[cell];
  WarpCount(pid < 0, &counters[kPointsDroppedNoPillar]);
  if (pid < 0) return;
  int32_t const slot = k - seg_start[pid];
  WarpCount(slot >= max_pts, &counters[kPointsDroppedPillarFull]);
  if (slot < max_pts) {
    CopyPoint(points + static_cast<int64_t>(sorted_vals[k]) * f,
              pillar_points + (static_cast<int64_t>(pid) * max_pts + slot) * f, f);
  }
  if (k == n - 1 || sorted_keys[k + 1] != cell) points_per_pillar[pid] = slot + 1 < max_pts ? slot + 1 : max_pts;
}

// Zeroes the unused point slots of the written pillars.
__global__ void PadKernel(int max_pillars, int max_pts, int f, int32_t const* counters,
                          int32_t const* points_per_pillar, float* pillar_points) {
  int64_t const t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  int32_t const pid = static_cast<int32_t>(t / max_pts);
  int32_t const slot = static_cast<int32_t>(t % max_pts);
  if (pid >= max_pillars || pid >= counters[kPillarCount]) return;
  if (slot < points_per_pillar[pid]) return;
  float* dst = pillar_points + (static_cast<int64_t>(pid) * max_pts + slot) * f;
  for (int d = 0; d < f; ++d) dst[d] = 0.0f;
}

struct DetWorkspace {
  int32_t *cell_pillar, *keys, *vals, *sorted_keys, *sorted_vals, *heads, *ranks, *seg_start;
  void* cub_temp;
  size_t cub_bytes;
};

int EndBit(int num_cells) {
  int bits = 1;
  while ((int64_t{1} << bits) <= num_cells) ++bits;
  return bits;
}

Status CubBytes(int n, int num_cells, size_t* bytes) {
  size_t scan = 0, sort = 0;
  AWML_RETURN_IF_CUDA_ERROR(
      cub::DeviceScan::ExclusiveSum(nullptr, scan, static_cast<int32_t*>(nullptr), static_cast<int32_t*>(nullptr), n),
      "voxelize: cub scan size");
  AWML_RETURN_IF_CUDA_ERROR(
      cub::DeviceRadixSort::SortPairs(nullptr, sort, static_cast<int32_t*>(nullptr), static_cast<int32_t*>(nullptr),
                                      static_cast<int32_t*>(nullptr), static_cast<int32_t*>(nullptr), n, 0,
                                      EndBit(num_cells)),
      "voxelize: cub sort size");
  *bytes = scan > sort ? scan : sort;
  return OkStatus();
}

Status Layout(VoxelizeConfig const& c, PillarGridF const& g, int64_t n, void* base, size_t* bytes, DetWorkspace* det,
              FastWorkspace* fast) {
  size_t const cells = static_cast<size_t>(g.nx) * g.ny;
  size_t const np = static_cast<size_t>(n > 0 ? n : 1);
  WorkspaceCarver w(base);
  if (c.mode == VoxelizeMode::kDeterministic) {
    size_t cub_bytes = 0;
    Status s = CubBytes(static_cast<int>(np), static_cast<int>(cells), &cub_bytes);
    if (!s.ok()) return s;
    det->cell_pillar = w.Take<int32_t>(cells);
    det->keys = w.Take<int32_t>(np);
    det->vals = w.Take<int32_t>(np);
    det->sorted_keys = w.Take<int32_t>(np);
    det->sorted_vals = w.Take<int32_t>(np);
    det->heads = w.Take<int32_t>(np);
    det->ranks = w.Take<int32_t>(np);
    det->seg_start = w.Take<int32_t>(static_cast<size_t>(c.max_pillars));
    det->cub_temp = w.Take<char>(cub_bytes);
    det->cub_bytes = cub_bytes;
  } else {
    fast->cell_count = w.Take<int32_t>(cells);
    fast->cell_pillar = w.Take<int32_t>(cells);
    fast->cells = w.Take<int32_t>(np);
    fast->slots = w.Take<int32_t>(np);
    fast->total = w.Take<int32_t>(1);
  }
  *bytes = w.bytes();
  return OkStatus();
}

}  // namespace

Status VoxelizeCudaWorkspaceBytes(VoxelizeConfig const& config, int64_t max_num_points, size_t* bytes) {
  PillarGridF g{};
  Status s = ValidateVoxelizeConfig(config, &g);
  if (!s.ok()) return s;
  if (max_num_points < 0 || max_num_points > INT_MAX) {
    return InvalidArgumentError("voxelize | max_num_points must be in 0..2^31-1");
  }
  DetWorkspace det{};
  FastWorkspace fast{};
  return Layout(config, g, max_num_points, nullptr, bytes, &det, &fast);
}

Status VoxelizeCudaCellMap(VoxelizeConfig const& config, void const* workspace, size_t workspace_bytes,
                           VoxelCellMap* map) {
  PillarGridF g{};
  Status s = ValidateVoxelizeConfig(config, &g);
  if (!s.ok()) return s;
  if (workspace == nullptr || map == nullptr) return InvalidArgumentError("voxelize | a required pointer is null");
  DetWorkspace det{};
  FastWorkspace fast{};
  size_t need = 0;
  AWML_RETURN_IF_ERROR(Layout(config, g, 0, const_cast<void*>(workspace), &need, &det, &fast));
  AWML_RETURN_IF_ERROR(CheckBytes("voxelize | workspace", workspace_bytes, need));
  bool const det_mode = config.mode == VoxelizeMode::kDeterministic;
  *map = VoxelCellMap{det_mode ? nullptr : fast.cell_count, det_mode ? det.cell_pillar : fast.cell_pillar, g.nx, g.ny};
  return OkStatus();
}

Status VoxelizeCuda(VoxelizeConfig const& config, float const* points, int64_t num_points, VoxelizeOutputs const& out,
                    void* workspace, size_t workspace_bytes, StreamHandle stream) {
  PillarGridF g{};
  Status s = ValidateVoxelizeConfig(config, &g);
  if (!s.ok()) return s;
  if (num_points < 0 || num_points > INT_MAX) {
    return InvalidArgumentError("voxelize | num_points must be in 0..2^31-1");
  }
  if ((num_points > 0 && points == nullptr) || !out.pillar_points || !out.points_per_pillar || !out.coords ||
      !out.counters || workspace == nullptr) {
    return InvalidArgumentError("voxelize | a required device pointer is null");
  }
  DetWorkspace det{};
  FastWorkspace fast{};
  size_t need = 0;
  Status const layout = Layout(config, g, num_points, workspace, &need, &det, &fast);
  if (!layout.ok()) return layout;
  AWML_RETURN_IF_ERROR(CheckBytes("voxelize | workspace", workspace_bytes, need,
                                  [&] { return " for " + std::to_string(num_points) + " points"; }));
  cudaStream_t st = stream;
  int const n = static_cast<int>(num_points);
  int const f = config.num_point_features;
  int const mp = config.max_points_per_pillar;
  int const num_cells = g.nx * g.ny;
  if (n == 0 || config.mode == VoxelizeMode::kDeterministic) {
    AWML_RETURN_IF_CUDA_ERROR(cudaMemsetAsync(out.counters, 0, sizeof(int32_t) * kNumVoxelizeCounters, st),
                              "voxelize: clear counters");
  }
  if (n == 0) return OkStatus();
  if (config.mode == VoxelizeMode::kDeterministic) {
    AWML_RETURN_IF_CUDA_ERROR(cudaMemsetAsync(det.cell_pillar, 0x7f, sizeof(int32_t) * num_cells, st),
                              "voxelize: clear grid");
    CellsKernel<<<Blocks(n), kThreads, 0, st>>>(g, points, n, f, num_cells, det.keys, det.vals, det.cell_pillar,
                                                out.counters);
    HeadsKernel<<<Blocks(n), kThreads, 0, st>>>(n, num_cells, det.keys, det.cell_pillar, det.heads);
    AWML_RETURN_IF_CUDA_ERROR(cudaGetLastError(), "voxelize: cells");
    size_t cub_bytes = det.cub_bytes;
    AWML_RETURN_IF_CUDA_ERROR(cub::DeviceScan::ExclusiveSum(det.cub_temp, cub_bytes, det.heads, det.ranks, n, st),
                              "voxelize: scan");
    AssignKernel<<<Blocks(n), kThreads, 0, st>>>(n, num_cells, g.nx, config.max_pillars, det.keys, det.heads, det.ranks,
                                                 det.cell_pillar, out.coords, out.counters);
    AWML_RETURN_IF_CUDA_ERROR(cudaGetLastError(), "voxelize: assign");
    cub_bytes = det.cub_bytes;
    AWML_RETURN_IF_CUDA_ERROR(cub::DeviceRadixSort::SortPairs(det.cub_temp, cub_bytes, det.keys, det.sorted_keys,
                                                              det.vals, det.sorted_vals, n, 0, EndBit(num_cells), st),
                              "voxelize: sort");
    SegmentStartKernel<<<Blocks(n), kThreads, 0, st>>>(n, num_cells, det.sorted_keys, det.cell_pillar, det.seg_start);
    FillKernel<<<Blocks(n), kThreads, 0, st>>>(n, num_cells, f, mp, points, det.sorted_keys, det.sorted_vals,
                                               det.cell_pillar, det.seg_start, out.pillar_points, out.points_per_pillar,
                                               out.counters);
    AWML_RETURN_IF_CUDA_ERROR(cudaGetLastError(), "voxelize: fill");
  } else {
    static CooperativeGrid grid;
    int blocks = 0;
    // kResident points per thread; phase 0 clears four cells per thread.
    int64_t const threads = std::max<int64_t>((n + kResident - 1) / kResident, num_cells / 4);
    int64_t const wanted = (threads + kFastThreads - 1) / kFastThreads;
    AWML_RETURN_IF_ERROR(grid.Blocks(FastVoxelizeKernel, kFastThreads, 0, wanted, &blocks));
    FastArgs const args{g, points, n, f, mp, config.max_pillars, num_cells, config.zero_unused_slots, fast, out};
    return LaunchCooperative(FastVoxelizeKernel, blocks, kFastThreads, 0, st, args);
  }
  if (!config.zero_unused_slots) return OkStatus();
  int64_t const slots = static_cast<int64_t>(config.max_pillars) * mp;
  PadKernel<<<Blocks(slots), kThreads, 0, st>>>(config.max_pillars, mp, f, out.counters, out.points_per_pillar,
                                                out.pillar_points);
  return CudaStatus(cudaGetLastError(), "voxelize: pad");
}

}  // namespace awml::kernels
