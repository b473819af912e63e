// CUDA pillar scatter: one thread per (pillar, channel); reads are coalesced, writes go to C planes.
#include <cooperative_groups.h>

#include <climits>
#include <cstdint>
#include <string>

#include "cpp/common/cooperative_launch.h"
#include "cpp/common/cuda_status.h"
#include "cpp/plugins/kernels/scatter/scatter.h"

namespace awml::kernels {
namespace {

namespace cg = cooperative_groups;

constexpr int kThreads = 256;

__global__ void ScatterKernel(int channels, int grid_x, int grid_y, int max_pillars, float const* features,
                              int32_t const* coords, int32_t const* pillar_count, float* canvas) {
  int64_t const t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  int64_t const p = t / channels;
  int const c = static_cast<int>(t % channels);
  int count = *pillar_count;
  count = count < 0 ? 0 : (count > max_pillars ? max_pillars : count);
  if (p >= count) return;
  int32_t const y = coords[3 * p + 1], x = coords[3 * p + 2];
  if (x < 0 || y < 0 || x >= grid_x || y >= grid_y) return;
  int64_t const plane = static_cast<int64_t>(grid_x) * grid_y;
  canvas[c * plane + static_cast<int64_t>(y) * grid_x + x] = features[t];
}

constexpr int kDenseThreads = 256;

// What both one-launch scatters read and write.
struct ScatterInputs {
  int channels, grid_x, grid_y, max_pillars;
  float const* features;
  int32_t const* coords;
  int32_t const* pillar_count;
  float* canvas;
};

ScatterInputs MakeInputs(ScatterConfig const& c, float const* features, int32_t const* coords,
                         int32_t const* pillar_count, float* canvas) {
  return {c.num_channels, c.grid_x, c.grid_y, c.max_pillars, features, coords, pillar_count, canvas};
}

// The pillar count, clamped to [0, max_pillars].
__device__ __forceinline__ int32_t ClampedCount(ScatterInputs const& in) {
  int const count = *in.pillar_count;
  return count < 0 ? 0 : (count > in.max_pillars ? in.max_pillars : count);
}

struct DenseArgs {
  ScatterInputs in;
  int32_t* map;  // [grid_y * grid_x]
  bool vector4;  // plane % 4 == 0 and the canvas is 16-byte aligned
};

// The pillar at `cell`, or -1: the map entry counts only when it names a pillar of this frame that lies there.
__device__ __forceinline__ int32_t DensePillar(DenseArgs const& a, int32_t count, int64_t cell) {
  int32_t const p = a.map[cell];
  return p >= 0 && p < count ? p : -1;
}

__global__ void __launch_bounds__(kDenseThreads) ScatterDenseKernel(DenseArgs a) {
  StartAfterPreviousGrid();
  ScatterInputs const& in = a.in;
  cg::grid_group grid = cg::this_grid();
  int64_t const stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t const tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  int64_t const plane = static_cast<int64_t>(in.grid_x) * in.grid_y;
  int32_t const count = ClampedCount(in);
  // Phase 0: empty map.
  for (int64_t cell = tid; cell < plane; cell += stride) a.map[cell] = -1;
  grid.sync();
  // Phase 1: each in-bounds pillar claims its cell; the highest pillar index wins (ScatterCpu's last write).
  for (int64_t p = tid; p < count; p += stride) {
    int32_t const y = in.coords[3 * p + 1], x = in.coords[3 * p + 2];
    if (x < 0 || y < 0 || x >= in.grid_x || y >= in.grid_y) continue;
    atomicMax(&a.map[static_cast<int64_t>(y) * in.grid_x + x], static_cast<int32_t>(p));
  }
  grid.sync();
  // Phase 2: every canvas element once: the pillar's feature or zero.
  if (a.vector4) {  // one item = 4 neighbouring cells x up to 8 channels; neighbouring threads, neighbouring cells
    float4* canvas4 = reinterpret_cast<float4*>(in.canvas);
    int64_t const quads = plane / 4;
    int64_t const items = quads * ((in.channels + 7) / 8);
    for (int64_t e = tid; e < items; e += stride) {
      int64_t const q = e % quads;
      int const c0 = static_cast<int>(e / quads) * 8, c1 = min(c0 + 8, in.channels);
      int32_t p[4];
      for (int k = 0; k < 4; ++k) p[k] = DensePillar(a, count, 4 * q + k);
      for (int c = c0; c < c1; ++c) {
        float v[4];
        for (int k = 0; k < 4; ++k) v[k] = p[k] >= 0 ? in.features[static_cast<int64_t>(p[k]) * in.channels + c] : 0.0f;
        canvas4[c * quads + q] = make_float4(v[0], v[1], v[2], v[3]);
      }
    }
  } else {
    for (int64_t cell = tid; cell < plane; cell += stride) {
      int32_t const p = DensePillar(a, count, cell);
      for (int c = 0; c < in.channels; ++c) {
        in.canvas[c * plane + cell] = p >= 0 ? in.features[static_cast<int64_t>(p) * in.channels + c] : 0.0f;
      }
    }
  }
}

constexpr int kSparseThreads = 256;
constexpr int kChannelChunk = 8;                          // channels one item writes (two 16-byte loads per cell)
constexpr uint64_t kSparseMagic = 0x5343415454455232ull;  // "SCATTER2"
constexpr uint32_t kLastEpoch = 0xfffffff0u;              // then the state starts over (clear, epoch 1)

// ScatterSparseCuda's state. Every call has an epoch (the header's + 1). The map holds (epoch << 32 | pillar) per
// cell, so this call's claims outrank every older entry without clearing the map; `mark` holds per group the last
// epoch in which a pillar lay there, so "held one in the previous call" is mark == epoch - 1 before this call's
// pillars set it to epoch. Nothing is cleared while the header names this canvas and grid; otherwise (a reset, another
// canvas or grid, the epoch at its end) the call clears the map and the marks first and writes every group.
struct SparseHeader {
  uint64_t magic;
  uint64_t canvas;
  int32_t channels, grid_x, grid_y;
  uint32_t epoch;
  uint32_t ticket;  // ScatterSparseCellsCuda: blocks done in the running call (0 between calls)
};

struct SparseLayout {
  int64_t plane, groups;
  size_t map_offset, mark_offset, bytes;
};

SparseLayout SparseLayoutOf(ScatterConfig const& c) {
  SparseLayout l{};
  l.plane = static_cast<int64_t>(c.grid_x) * c.grid_y;
  l.groups = (l.plane + kScatterGroupCells - 1) / kScatterGroupCells;
  auto up = [](size_t b) { return (b + 255) / 256 * 256; };
  l.map_offset = up(sizeof(SparseHeader));
  l.mark_offset = up(l.map_offset + sizeof(unsigned long long) * static_cast<size_t>(l.plane));
  l.bytes = up(l.mark_offset + sizeof(uint32_t) * static_cast<size_t>(l.groups));
  return l;
}

struct SparseArgs {
  ScatterInputs in;
  int64_t groups;
  SparseHeader* header;
  unsigned long long* map;  // [grid_y * grid_x] epoch << 32 | pillar
  uint32_t* mark;           // [groups] the last epoch in which a pillar lay in the group
  bool vector8;             // plane % 8 == 0 and the canvas is 32-byte aligned
  bool row4;                // channels % 4 == 0 and the features are 16-byte aligned
};

// The header a call with `epoch` leaves behind.
__device__ __forceinline__ SparseHeader HeaderFor(ScatterInputs const& in, uint32_t epoch) {
  return SparseHeader{kSparseMagic, reinterpret_cast<uint64_t>(in.canvas), in.channels, in.grid_x, in.grid_y, epoch, 0};
}

// Whether the header names this canvas and grid with an epoch that may still grow (else the call starts over).
__device__ __forceinline__ bool SameState(SparseHeader const& h, ScatterInputs const& in) {
  return h.magic == kSparseMagic && h.canvas == reinterpret_cast<uint64_t>(in.canvas) && h.channels == in.channels &&
         h.grid_x == in.grid_x && h.grid_y == in.grid_y && h.epoch >= 1 && h.epoch < kLastEpoch;
}

// One item of the sparse scatters' write pass: channels [c0, c1) of the group of cells from cell0, whose pillars are
// p[k] (-1: none, written as zero). All loads (the pillars' 8-channel feature rows) go out before the first store.
__device__ __forceinline__ void WriteGroup(ScatterInputs const& in, int64_t plane, int64_t cell0, int c0, int c1,
                                           int32_t const (&p)[kScatterGroupCells], bool row4, bool vector8) {
  float v[kScatterGroupCells][kChannelChunk];
#pragma unroll
  for (int k = 0; k < kScatterGroupCells; ++k) {
    float const* row = in.features + (p[k] >= 0 ? static_cast<int64_t>(p[k]) * in.channels + c0 : 0);
    if (row4 && c1 - c0 == kChannelChunk) {
#pragma unroll
      for (int q = 0; q < kChannelChunk / 4; ++q) {
        float4 const r = p[k] >= 0 ? reinterpret_cast<float4 const*>(row)[q] : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        v[k][4 * q] = r.x;
        v[k][4 * q + 1] = r.y;
        v[k][4 * q + 2] = r.z;
        v[k][4 * q + 3] = r.w;
      }
    } else {
#pragma unroll
      for (int j = 0; j < kChannelChunk; ++j) v[k][j] = p[k] >= 0 && c0 + j < c1 ? row[j] : 0.0f;
    }
  }
#pragma unroll
  for (int j = 0; j < kChannelChunk; ++j) {
    if (c0 + j >= c1) break;
    float* out = in.canvas + (c0 + j) * plane + cell0;
    if (vector8) {
      reinterpret_cast<float4*>(out)[0] = make_float4(v[0][j], v[1][j], v[2][j], v[3][j]);
      reinterpret_cast<float4*>(out)[1] = make_float4(v[4][j], v[5][j], v[6][j], v[7][j]);
    } else {
      for (int k = 0; k < kScatterGroupCells && cell0 + k < plane; ++k) out[k] = v[k][j];
    }
  }
}

__global__ void __launch_bounds__(kSparseThreads) ScatterSparseKernel(SparseArgs a) {
  StartAfterPreviousGrid();
  ScatterInputs const& in = a.in;
  cg::grid_group grid = cg::this_grid();
  int64_t const stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t const tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  int64_t const plane = static_cast<int64_t>(in.grid_x) * in.grid_y;
  int32_t const count = ClampedCount(in);
  SparseHeader const h = *a.header;
  bool const same = SameState(h, in);
  uint32_t const epoch = same ? h.epoch + 1 : 2;  // grid-uniform
  if (!same) {  // start over: no entry of an older epoch may remain, and every group is written
    for (int64_t cell = tid; cell < plane; cell += stride) a.map[cell] = 0;
    for (int64_t g = tid; g < a.groups; g += stride) a.mark[g] = 1;  // "held a pillar in the previous call"
    grid.sync();
  }
  // Phase 1: each in-bounds pillar claims its cell (the highest pillar index wins, ScatterCpu's last write) and marks
  // its group.
  unsigned long long const tag = static_cast<unsigned long long>(epoch) << 32;
  for (int64_t p = tid; p < count; p += stride) {
    int32_t const y = in.coords[3 * p + 1], x = in.coords[3 * p + 2];
    if (x < 0 || y < 0 || x >= in.grid_x || y >= in.grid_y) continue;
    int64_t const cell = static_cast<int64_t>(y) * in.grid_x + x;
    atomicMax(&a.map[cell], tag | static_cast<unsigned long long>(p));
    a.mark[cell / kScatterGroupCells] = epoch;
  }
  grid.sync();
  // Phase 2: the groups that hold a pillar now or held one in the previous call, every channel; an item is one group
  // x up to 8 channels, and neighbouring threads take neighbouring groups. An item issues all its loads (8 cells' map
  // entries, then their 8-channel feature rows) before its first store: it waits for memory twice, not per channel.
  if (tid == 0) *a.header = HeaderFor(in, epoch);
  int const chunks = (in.channels + kChannelChunk - 1) / kChannelChunk;
  int64_t const items = a.groups * chunks;
  for (int64_t e = tid; e < items; e += stride) {
    int64_t const g = e % a.groups;
    int const c0 = static_cast<int>(e / a.groups) * kChannelChunk, c1 = min(c0 + kChannelChunk, in.channels);
    uint32_t const m = a.mark[g];
    bool const held = m == epoch;
    if (!held && m != epoch - 1) continue;
    int64_t const cell0 = g * kScatterGroupCells;
    int32_t p[kScatterGroupCells];
#pragma unroll
    for (int k = 0; k < kScatterGroupCells; ++k) {
      unsigned long long const v = held && cell0 + k < plane ? a.map[cell0 + k] : 0;
      p[k] = (v >> 32) == epoch ? static_cast<int32_t>(v & 0xffffffffu) : -1;
    }
    WriteGroup(in, plane, cell0, c0, c1, p, a.row4, a.vector8);
  }
}

// ScatterSparseCellsCuda's arguments: ScatterSparseCuda's state, and the voxeliser's cell map instead of a claim pass.
struct CellsArgs {
  ScatterInputs in;  // coords unused
  int64_t groups;
  SparseHeader* header;
  unsigned long long* map;     // not read; cleared when the call starts over, for a later ScatterSparseCuda
  uint32_t* mark;              // [groups] the last epoch in which a pillar lay in the group
  int32_t const* cell_points;  // null: every cell_pillar entry below the count names a pillar
  int32_t const* cell_pillar;
  bool vector8, row4;
  bool cells4;  // plane % 8 == 0 and both cell arrays are 16-byte aligned
};

__device__ __forceinline__ void Unpack(int4 v, int32_t* out) {
  out[0] = v.x;
  out[1] = v.y;
  out[2] = v.z;
  out[3] = v.w;
}

static_assert(kScatterGroupCells == 8, "GroupPillars loads a group's cells as two int4");

// The pillars in the group of cells from cell0 (-1: none), from the voxeliser's map.
__device__ __forceinline__ void GroupPillars(CellsArgs const& a, int64_t plane, int64_t cell0, int32_t count,
                                             int32_t (&p)[kScatterGroupCells]) {
  int32_t pts[kScatterGroupCells], pil[kScatterGroupCells];
  if (a.cells4) {
    int4 const* pil4 = reinterpret_cast<int4 const*>(a.cell_pillar + cell0);
    Unpack(pil4[0], pil);
    Unpack(pil4[1], pil + 4);
    if (a.cell_points) {
      int4 const* pts4 = reinterpret_cast<int4 const*>(a.cell_points + cell0);
      Unpack(pts4[0], pts);
      Unpack(pts4[1], pts + 4);
    } else {
#pragma unroll
      for (int k = 0; k < kScatterGroupCells; ++k) pts[k] = 1;
    }
  } else {
#pragma unroll
    for (int k = 0; k < kScatterGroupCells; ++k) {
      bool const inside = cell0 + k < plane;
      pil[k] = inside ? a.cell_pillar[cell0 + k] : -1;
      pts[k] = inside && a.cell_points ? a.cell_points[cell0 + k] : 1;
    }
  }
#pragma unroll
  for (int k = 0; k < kScatterGroupCells; ++k) p[k] = pts[k] > 0 && pil[k] >= 0 && pil[k] < count ? pil[k] : -1;
}

// One pass: an item (a group x up to 8 channels, neighbouring threads on neighbouring groups) reads its group's cells
// from the voxeliser's map and writes the group if a pillar lies there now or lay there in the previous call. The
// item of the first channels sets the group's mark, which only items of groups without a pillar read, so no item reads
// a mark this call writes. The header is read once per block; the last block to finish writes the new one (a ticket
// taken after the block's read, so every block has read the old header by then).
__global__ void __launch_bounds__(kSparseThreads) ScatterCellsKernel(CellsArgs a) {
  __shared__ uint32_t block_epoch;  // 0: the call starts over
  StartAfterPreviousGrid();
  ScatterInputs const& in = a.in;
  if (threadIdx.x == 0) {
    SparseHeader const h = *a.header;
    block_epoch = SameState(h, in) ? h.epoch + 1 : 0;
  }
  __syncthreads();
  bool const same = block_epoch != 0;
  uint32_t const epoch = same ? block_epoch : 2;  // grid-uniform
  int64_t const stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int64_t const tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  int64_t const plane = static_cast<int64_t>(in.grid_x) * in.grid_y;
  int32_t const count = ClampedCount(in);
  int const chunks = (in.channels + kChannelChunk - 1) / kChannelChunk;
  int64_t const items = a.groups * chunks;
  for (int64_t e = tid; e < items; e += stride) {
    int64_t const g = e % a.groups;
    int const c0 = static_cast<int>(e / a.groups) * kChannelChunk, c1 = min(c0 + kChannelChunk, in.channels);
    int64_t const cell0 = g * kScatterGroupCells;
    int32_t p[kScatterGroupCells];
    GroupPillars(a, plane, cell0, count, p);
    bool any = false;
#pragma unroll
    for (int k = 0; k < kScatterGroupCells; ++k) any = any || p[k] >= 0;
    if (same && !any && a.mark[g] != epoch - 1) continue;  // empty now and after the previous call: zero already
    if (c0 == 0) {
      if (any) {
        a.mark[g] = epoch;
      } else if (!same) {
        a.mark[g] = 0;
      }
      if (!same) {  // starting over: no claim of an older epoch may outrank a later ScatterSparseCuda's
        for (int k = 0; k < kScatterGroupCells && cell0 + k < plane; ++k) a.map[cell0 + k] = 0;
      }
    }
    WriteGroup(in, plane, cell0, c0, c1, p, a.row4, a.vector8);
  }
  if (threadIdx.x == 0 && atomicAdd(&a.header->ticket, 1u) == gridDim.x - 1) *a.header = HeaderFor(in, epoch);
}

}  // namespace

Status ScatterDenseCudaWorkspaceBytes(ScatterConfig const& config, size_t* bytes) {
  Status s = ValidateScatterConfig(config);
  if (!s.ok()) return s;
  *bytes = sizeof(int32_t) * static_cast<size_t>(config.grid_x) * config.grid_y;
  return OkStatus();
}

Status ScatterDenseCuda(ScatterConfig const& config, float const* pillar_features, int32_t const* coords,
                        int32_t const* pillar_count, float* canvas, void* workspace, size_t workspace_bytes,
                        StreamHandle stream) {
  size_t need = 0;
  Status s = ScatterDenseCudaWorkspaceBytes(config, &need);
  if (!s.ok()) return s;
  if (!config.clear_canvas) {
    return InvalidArgumentError(
        "scatter | ScatterDenseCuda writes every canvas cell. Note: expected clear_canvas "
        "= true (use ScatterCuda to scatter onto a canvas without clearing it)");
  }
  if (!pillar_features || !coords || !pillar_count || !canvas || !workspace) {
    return InvalidArgumentError("scatter | a required device pointer is null");
  }
  AWML_RETURN_IF_ERROR(CheckBytes("scatter | workspace", workspace_bytes, need));
  int64_t const plane = static_cast<int64_t>(config.grid_x) * config.grid_y;
  bool const vector4 = plane % 4 == 0 && reinterpret_cast<uintptr_t>(canvas) % 16 == 0;
  static CooperativeGrid grid;
  int blocks = 0;
  int64_t const wanted = (plane / 4 * ((config.num_channels + 7) / 8) + kDenseThreads - 1) / kDenseThreads;
  AWML_RETURN_IF_ERROR(grid.Blocks(ScatterDenseKernel, kDenseThreads, 0, wanted, &blocks));
  DenseArgs const args{MakeInputs(config, pillar_features, coords, pillar_count, canvas),
                       static_cast<int32_t*>(workspace), vector4};
  return LaunchCooperative(ScatterDenseKernel, blocks, kDenseThreads, 0, static_cast<cudaStream_t>(stream), args);
}

Status ScatterSparseCudaStateBytes(ScatterConfig const& config, size_t* bytes) {
  Status s = ValidateScatterConfig(config);
  if (!s.ok()) return s;
  *bytes = SparseLayoutOf(config).bytes;
  return OkStatus();
}

namespace {

// The config is valid and `state` holds at least ScatterSparseCudaStateBytes.
Status CheckSparseState(ScatterConfig const& config, void const* state, size_t state_bytes) {
  size_t need = 0;
  Status s = ScatterSparseCudaStateBytes(config, &need);
  if (!s.ok()) return s;
  if (!state) return InvalidArgumentError("scatter | the sparse scatter state is null");
  return CheckBytes("scatter | sparse scatter state", state_bytes, need);
}

// What both sparse scatters check before they launch: the state, clear_canvas and their device pointers
// (`pointers_set`: every required one is non-null). `name` names the call in the clear_canvas error.
Status CheckSparseCall(char const* name, ScatterConfig const& config, void const* state, size_t state_bytes,
                       bool pointers_set) {
  AWML_RETURN_IF_ERROR(CheckSparseState(config, state, state_bytes));
  if (!config.clear_canvas) {
    return InvalidArgumentError(std::string("scatter | ") + name +
                                " leaves the canvas cleared and scattered. Note: expected clear_canvas = true (use "
                                "ScatterCuda to scatter onto a canvas without clearing it)");
  }
  if (!pointers_set) return InvalidArgumentError("scatter | a required device pointer is null");
  return OkStatus();
}

}  // namespace

Status ScatterSparseCudaReset(ScatterConfig const& config, void* state, size_t state_bytes, StreamHandle stream) {
  AWML_RETURN_IF_ERROR(CheckSparseState(config, state, state_bytes));
  // A zero header matches no canvas: the next call clears the map and the marks and writes every group.
  return CudaStatus(cudaMemsetAsync(state, 0, sizeof(SparseHeader), static_cast<cudaStream_t>(stream)),
                    "scatter: reset sparse state");
}

Status ScatterSparseCuda(ScatterConfig const& config, float const* pillar_features, int32_t const* coords,
                         int32_t const* pillar_count, float* canvas, void* state, size_t state_bytes,
                         StreamHandle stream) {
  AWML_RETURN_IF_ERROR(CheckSparseCall("ScatterSparseCuda", config, state, state_bytes,
                                       pillar_features && coords && pillar_count && canvas));
  SparseLayout const l = SparseLayoutOf(config);
  auto* base = static_cast<unsigned char*>(state);
  bool const vector8 = l.plane % kScatterGroupCells == 0 && reinterpret_cast<uintptr_t>(canvas) % 32 == 0;
  bool const row4 = config.num_channels % 4 == 0 && reinterpret_cast<uintptr_t>(pillar_features) % 16 == 0;
  static CooperativeGrid grid;
  int blocks = 0;
  int64_t const items = l.groups * ((config.num_channels + kChannelChunk - 1) / kChannelChunk);
  AWML_RETURN_IF_ERROR(
      grid.Blocks(ScatterSparseKernel, kSparseThreads, 0, (items + kSparseThreads - 1) / kSparseThreads, &blocks));
  SparseArgs const args{MakeInputs(config, pillar_features, coords, pillar_count, canvas),
                        l.groups,
                        reinterpret_cast<SparseHeader*>(base),
                        reinterpret_cast<unsigned long long*>(base + l.map_offset),
                        reinterpret_cast<uint32_t*>(base + l.mark_offset),
                        vector8,
                        row4};
  return LaunchCooperative(ScatterSparseKernel, blocks, kSparseThreads, 0, static_cast<cudaStream_t>(stream), args);
}

Status ScatterSparseCellsCuda(ScatterConfig const& config, float const* pillar_features, VoxelCellMap const& cells,
                              int32_t const* pillar_count, float* canvas, void* state, size_t state_bytes,
                              StreamHandle stream) {
  AWML_RETURN_IF_ERROR(CheckSparseCall("ScatterSparseCellsCuda", config, state, state_bytes,
                                       pillar_features && cells.cell_pillar && pillar_count && canvas));
  if (cells.nx != config.grid_x || cells.ny != config.grid_y) {
    return InvalidArgumentError("scatter | the cell map is " + std::to_string(cells.nx) + " x " +
                                std::to_string(cells.ny) + " cells. Note: expected the canvas's grid, " +
                                std::to_string(config.grid_x) + " x " + std::to_string(config.grid_y));
  }
  SparseLayout const l = SparseLayoutOf(config);
  auto* base = static_cast<unsigned char*>(state);
  auto aligned16 = [](void const* ptr) { return ptr == nullptr || reinterpret_cast<uintptr_t>(ptr) % 16 == 0; };
  bool const vector8 = l.plane % kScatterGroupCells == 0 && reinterpret_cast<uintptr_t>(canvas) % 32 == 0;
  bool const row4 = config.num_channels % 4 == 0 && reinterpret_cast<uintptr_t>(pillar_features) % 16 == 0;
  bool const cells4 = l.plane % kScatterGroupCells == 0 && aligned16(cells.cell_points) && aligned16(cells.cell_pillar);
  int64_t const items = l.groups * ((config.num_channels + kChannelChunk - 1) / kChannelChunk);
  int64_t const blocks = (items + kSparseThreads - 1) / kSparseThreads;
  CellsArgs const args{MakeInputs(config, pillar_features, nullptr, pillar_count, canvas),
                       l.groups,
                       reinterpret_cast<SparseHeader*>(base),
                       reinterpret_cast<unsigned long long*>(base + l.map_offset),
                       reinterpret_cast<uint32_t*>(base + l.mark_offset),
                       cells.cell_points,
                       cells.cell_pillar,
                       vector8,
                       row4,
                       cells4};
  return LaunchEarly("scatter: launch", ScatterCellsKernel, static_cast<int>(blocks < INT_MAX ? blocks : INT_MAX),
                     kSparseThreads, 0, static_cast<cudaStream_t>(stream), args);
}

Status ScatterCuda(ScatterConfig const& config, float const* pillar_features, int32_t const* coords,
                   int32_t const* pillar_count, float* canvas, StreamHandle stream) {
  Status s = ValidateScatterConfig(config);
  if (!s.ok()) return s;
  if (!pillar_features || !coords || !pillar_count || !canvas) {
    return InvalidArgumentError("scatter | a required device pointer is null");
  }
  if (config.clear_canvas) {
    size_t const bytes = sizeof(float) * config.num_channels * static_cast<size_t>(config.grid_x) * config.grid_y;
    AWML_RETURN_IF_CUDA_ERROR(cudaMemsetAsync(canvas, 0, bytes, stream), "scatter: clear canvas");
  }
  int64_t const threads = static_cast<int64_t>(config.max_pillars) * config.num_channels;
  if (threads == 0) return OkStatus();
  ScatterKernel<<<static_cast<int>((threads + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
      config.num_channels, config.grid_x, config.grid_y, config.max_pillars, pillar_features, coords, pillar_count,
      canvas);
  return CudaStatus(cudaGetLastError(), "scatter: launch");
}

}  // namespace awml::kernels
