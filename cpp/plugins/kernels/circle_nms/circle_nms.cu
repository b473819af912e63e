// CUDA circle NMS in one cooperative launch: rank (unless input_sorted) and the suppression bit mask over the whole
// grid, then one block sweeps it greedily (from shared memory when the mask's triangle fits) and writes the kept
// boxes. Workspace needs no initialisation.
#include <cooperative_groups.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

#include "cpp/common/cooperative_launch.h"
#include "cpp/common/cuda_status.h"
#include "cpp/common/workspace_carver.h"
#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/circle_nms/suppress.h"
#include "cpp/plugins/kernels/decode/head_math.h"

namespace awml::kernels {
namespace {

namespace cg = cooperative_groups;

constexpr int kTile = 64;
constexpr int kMaxWords = kMaxCandidates / kTile;
constexpr int kNmsThreads = 512;
constexpr int kGroups = kNmsThreads / kTile;  // mask tiles a block works on at once

// The sweep block keeps the mask's upper triangle in shared memory when it fits: up to kTriWords tiles per side.
constexpr int kTriWords = 27;
constexpr size_t kTriBytes = sizeof(uint64_t) * kTile * kTriWords * (kTriWords + 1) / 2;

struct NmsWorkspace {
  uint16_t* order;  // [max_boxes] rank -> input position (unsorted input only)
  float* xyl;       // [max_boxes, 3] x, y, label by rank (unsorted input only)
  uint64_t* mask;   // [max_boxes, words] row r, word w: the ranks of tile w that rank r suppresses (w >= r / 64)
};

struct NmsArgs {
  int cap, words, max_output;
  float squared_radius;
  bool inclusive, per_class, input_sorted;
  float const* boxes;
  int32_t const* num_boxes;
  float* out_boxes;
  int32_t* num_out;
  NmsWorkspace w;
};

struct SweepShared {
  uint32_t removed[2 * kMaxWords];  // bit per rank, as 32-bit halves (native shared atomics)
  uint64_t diag[2][kTile];          // this step's 64 x 64 bits, and the next step's (global path: prefetched)
  uint64_t keep[kMaxWords];
  int prefix[kMaxWords + 1];
  uint16_t kept_list[kTile];
  int kept_count;
};

// x, y, label of rank r: straight from the input when it is already in rank order, else from the ranked copy.
__device__ __forceinline__ void RankXyl(NmsArgs const& a, int r, float* x, float* y, float* l) {
  if (a.input_sorted) {
    float const* b = a.boxes + static_cast<int64_t>(r) * kBoxFields;
    *x = b[kBoxX];
    *y = b[kBoxY];
    *l = b[kBoxLabel];
  } else {
    *x = a.w.xyl[3 * r];
    *y = a.w.xyl[3 * r + 1];
    *l = a.w.xyl[3 * r + 2];
  }
}

__device__ __forceinline__ uint64_t MaskWord(NmsArgs const& a, int row, int word) {
  return __ldcg(reinterpret_cast<unsigned long long const*>(a.w.mask + static_cast<int64_t>(row) * a.words + word));
}

// Offset of tile row `b`'s first word in the shared triangle: tile rows before it hold 64 x (wn - b') words each.
__device__ __forceinline__ int TriTileOffset(int b, int wn) { return kTile * (b * wn - b * (b - 1) / 2); }

// One cooperative launch:
//   (unsorted input) every warp of the grid ranks boxes by score (rank = keys below; keys are unique) | every
//   block: the 64 x 64 suppression tiles of the upper triangle | block 0: the greedy sweep, 64 ranks per step (a
//   serial pass over the step's not yet removed ranks, one iteration per kept rank, then the kept rows' mask words
//   OR-ed into the removed bits in parallel), from the triangle copied into shared memory when it fits, else from
//   global memory with the next step's tile prefetched; then the kept boxes in rank order.
// The same Suppresses() and rank order as CircleNmsCpu, so the same boxes.
__global__ void __launch_bounds__(kNmsThreads) NmsKernel(NmsArgs a) {
  extern __shared__ __align__(16) unsigned char dyn[];  // kTriBytes: the ranking keys, later the mask triangle
  __shared__ float cols[kGroups][kTile * 3];
  __shared__ SweepShared s;
  cg::grid_group grid = cg::this_grid();
  int n = *a.num_boxes;
  n = n < 0 ? 0 : (n > a.cap ? a.cap : n);
  int const wn = (n + kTile - 1) / kTile;
  int const lane32 = threadIdx.x & 31;
  if (!a.input_sorted) {
    uint64_t* keys = reinterpret_cast<uint64_t*>(dyn);
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      keys[i] = head_math::ScoreKey(a.boxes[i * kBoxFields + kBoxScore], static_cast<uint32_t>(i));
    }
    __syncthreads();
    int const warps = gridDim.x * (blockDim.x / 32);
    for (int i = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32; i < n; i += warps) {
      uint64_t const key = keys[i];
      int below = 0;
      for (int j = lane32; j < n; j += 32) below += keys[j] < key;
      for (int off = 16; off > 0; off >>= 1) below += __shfl_xor_sync(0xffffffffu, below, off);
      if (lane32 == 0) {
        float const* b = a.boxes + i * kBoxFields;
        a.w.order[below] = static_cast<uint16_t>(i);
        a.w.xyl[3 * below + 0] = b[kBoxX];
        a.w.xyl[3 * below + 1] = b[kBoxY];
        a.w.xyl[3 * below + 2] = b[kBoxLabel];
      }
    }
    grid.sync();
  }
  // Mask tiles: block-uniform loop over groups of kGroups tiles (row tile <= column tile only).
  int const group = threadIdx.x / kTile, lane = threadIdx.x % kTile;
  for (int base = blockIdx.x * kGroups; base < wn * wn; base += gridDim.x * kGroups) {
    int const t = base + group;
    int const row_tile = t / (wn > 0 ? wn : 1), col_tile = t % (wn > 0 ? wn : 1);
    bool const active = t < wn * wn && col_tile >= row_tile;
    int const col0 = col_tile * kTile, row0 = row_tile * kTile;
    int const cols_here = active ? min(kTile, n - col0) : 0;
    __syncthreads();  // the previous iteration's columns are no longer read
    if (lane < cols_here) {
      float* c = cols[group] + 3 * lane;
      RankXyl(a, col0 + lane, c, c + 1, c + 2);
    }
    __syncthreads();
    int const i = row0 + lane;
    if (!active || i >= n) continue;
    float xi, yi, li;
    RankXyl(a, i, &xi, &yi, &li);
    uint64_t bits = 0;
    float const* cg_cols = cols[group];
    for (int k = row_tile == col_tile ? lane + 1 : 0; k < cols_here; ++k) {
      if (circle::Suppresses(xi, yi, li, cg_cols[3 * k], cg_cols[3 * k + 1], cg_cols[3 * k + 2], a.squared_radius,
                             a.inclusive, a.per_class)) {
        bits |= uint64_t{1} << k;
      }
    }
    a.w.mask[static_cast<int64_t>(i) * a.words + col_tile] = bits;
  }
  grid.sync();
  if (blockIdx.x != 0) return;
  bool const in_shared = wn <= kTriWords;
  uint64_t* tri = reinterpret_cast<uint64_t*>(dyn);
  if (in_shared) {  // copy the triangle: row r of tile row b holds words b .. wn - 1
    for (int r = threadIdx.x / 32; r < n; r += blockDim.x / 32) {
      int const b = r / kTile;
      uint64_t* row = tri + TriTileOffset(b, wn) + (r - b * kTile) * (wn - b);
      for (int w = b + lane32; w < wn; w += 32) row[w - b] = MaskWord(a, r, w);
    }
  }
  for (int i = threadIdx.x; i < 2 * wn; i += blockDim.x) s.removed[i] = 0;
  if (!in_shared && threadIdx.x < kTile) s.diag[0][threadIdx.x] = threadIdx.x < n ? MaskWord(a, threadIdx.x, 0) : 0;
  __syncthreads();
  for (int step = 0; step < wn; ++step) {
    int const cur = step & 1, r0 = step * kTile, rows = min(kTile, n - r0);
    uint64_t const* tile_rows =
        tri + TriTileOffset(step, wn);  // in_shared: row j of this step, word w at j*(wn-step)+w-step
    int const row_words = wn - step;
    if (threadIdx.x == 0) {  // the only serial part: one iteration per kept rank of the step
      uint64_t const row_mask = rows == kTile ? ~uint64_t{0} : (uint64_t{1} << rows) - 1;
      uint64_t const rem = static_cast<uint64_t>(s.removed[2 * step + 1]) << 32 | s.removed[2 * step];
      uint64_t avail = ~rem & row_mask, kept = 0;
      int count = 0;
      while (avail) {
        int const j = __ffsll(static_cast<long long>(avail)) - 1;
        kept |= uint64_t{1} << j;
        s.kept_list[count++] = static_cast<uint16_t>(r0 + j);
        avail &= ~(in_shared ? tile_rows[j * row_words] : s.diag[cur][j]);
        avail &= ~((uint64_t{2} << j) - 1);  // j == 63: 2 << 63 wraps to 0, and 0 - 1 clears every bit
      }
      s.keep[step] = kept;
      s.kept_count = count;
    }
    __syncthreads();
    int const kc = s.kept_count, rest = wn - step - 1;
    for (int e = threadIdx.x; e < kc * rest; e += blockDim.x) {
      int const q = e / rest, word = step + 1 + e % rest;
      int const row = s.kept_list[q];
      uint64_t const bits = in_shared ? tile_rows[(row - r0) * row_words + (word - step)] : MaskWord(a, row, word);
      if (bits & 0xffffffffu) atomicOr(&s.removed[2 * word], static_cast<uint32_t>(bits));
      if (bits >> 32) atomicOr(&s.removed[2 * word + 1], static_cast<uint32_t>(bits >> 32));
    }
    if (!in_shared && rest > 0 && threadIdx.x >= blockDim.x - kTile) {  // prefetch the next step's tile
      int const j = threadIdx.x - (blockDim.x - kTile), row = r0 + kTile + j;
      s.diag[cur ^ 1][j] = row < n ? MaskWord(a, row, step + 1) : 0;
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    s.prefix[0] = 0;
    for (int b = 0; b < wn; ++b) s.prefix[b + 1] = s.prefix[b] + __popcll(s.keep[b]);
    *a.num_out = s.prefix[wn] < a.max_output ? s.prefix[wn] : a.max_output;
  }
  __syncthreads();
  for (int e = threadIdx.x; e < n * kBoxFields; e += blockDim.x) {
    int const r = e / kBoxFields, d = e % kBoxFields, b = r / kTile, j = r % kTile;
    if (!(s.keep[b] >> j & 1)) continue;
    int const rank = s.prefix[b] + __popcll(s.keep[b] & ((uint64_t{1} << j) - 1));
    int const src = a.input_sorted ? r : a.w.order[r];
    if (rank < a.max_output) a.out_boxes[static_cast<int64_t>(rank) * kBoxFields + d] = a.boxes[src * kBoxFields + d];
  }
}

NmsWorkspace Carve(CircleNmsConfig const& c, void* base, size_t* bytes) {
  int const words = (c.max_boxes + kTile - 1) / kTile;
  WorkspaceCarver carver(base);
  NmsWorkspace w;
  w.order = carver.Take<uint16_t>(c.max_boxes);
  w.xyl = carver.Take<float>(static_cast<size_t>(c.max_boxes) * 3);
  w.mask = carver.Take<uint64_t>(static_cast<size_t>(c.max_boxes) * words);
  *bytes = carver.bytes();
  return w;
}

}  // namespace

Status CircleNmsCudaWorkspaceBytes(CircleNmsConfig const& config, size_t* bytes) {
  Status s = ValidateCircleNmsConfig(config);
  if (!s.ok()) return s;
  Carve(config, nullptr, bytes);
  return OkStatus();
}

Status CircleNmsCuda(CircleNmsConfig const& config, float const* boxes, int32_t const* num_boxes, float* out_boxes,
                     int32_t* num_out, void* workspace, size_t workspace_bytes, StreamHandle stream) {
  Status s = ValidateCircleNmsConfig(config);
  if (!s.ok()) return s;
  if (!boxes || !num_boxes || !out_boxes || !num_out || !workspace) {
    return InvalidArgumentError("circle nms | a required device pointer is null");
  }
  size_t need = 0;
  NmsWorkspace const w = Carve(config, workspace, &need);
  if (workspace_bytes < need) {
    return InvalidArgumentError("circle nms | workspace too small. Note: expected >= " + std::to_string(need) +
                                " bytes, got " + std::to_string(workspace_bytes));
  }
  int const words = (config.max_boxes + kTile - 1) / kTile;
  static std::once_flag opt_in;  // above 48 KiB of shared memory a kernel must opt in (per process, all devices)
  static cudaError_t opt_in_error = cudaSuccess;
  std::call_once(opt_in, [] {
    opt_in_error =
        cudaFuncSetAttribute(NmsKernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(kTriBytes));
  });
  AWML_RETURN_IF_CUDA_ERROR(opt_in_error, "circle nms: shared memory opt-in");
  static CooperativeGrid grid;
  int blocks = 0;
  int64_t const tiles = static_cast<int64_t>(words) * (words + 1) / 2;
  AWML_RETURN_IF_ERROR(grid.Blocks(NmsKernel, kNmsThreads, kTriBytes, (tiles + kGroups - 1) / kGroups, &blocks));
  NmsArgs const args{config.max_boxes,
                     words,
                     config.max_output,
                     config.squared_radius,
                     config.inclusive,
                     config.per_class,
                     config.input_sorted,
                     boxes,
                     num_boxes,
                     out_boxes,
                     num_out,
                     w};
  return LaunchCooperative(NmsKernel, blocks, kNmsThreads, kTriBytes, static_cast<cudaStream_t>(stream), args);
}

}  // namespace awml::kernels
