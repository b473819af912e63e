// CUDA circle NMS in one cooperative launch: rank (unless input_sorted) and the suppression bit mask over the whole
// grid, then one block sweeps it greedily (from shared memory when the mask's triangle fits) and writes the kept
// boxes. With suppressor_lists the grid lists every rank's suppressors instead and one block resolves the lists in
// parallel rounds; a rank with more suppressors than a list holds sends the launch back to the mask. Workspace needs
// no initialisation.
#include <cooperative_groups.h>

#include <algorithm>
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
constexpr int kWarps = kNmsThreads / 32;
constexpr int kGroups = kNmsThreads / kTile;  // mask tiles a block works on at once

// Suppressor lists: suppressors listed per rank (a rank with more sends the launch to the bit mask), and parallel
// resolution rounds before one warp finishes the undecided ranks in rank order (a chain longer than this: rare,
// still exact).
constexpr int kListCap = 16;
constexpr int kMaxRounds = 32;

// The sweep block keeps the mask's upper triangle in shared memory when it fits: up to kTriWords tiles per side.
constexpr int kTriWords = 27;
constexpr size_t kTriBytes = sizeof(uint64_t) * kTile * kTriWords * (kTriWords + 1) / 2;
// The list path's shared memory: every rank's list, count and two status bytes.
constexpr size_t kListPathBytes = static_cast<size_t>(kMaxCandidates) * (kListCap * sizeof(uint16_t) + 3);
static_assert(kListPathBytes <= kTriBytes, "the list path reuses the triangle's shared memory");
static_assert(kMaxCandidates * 3 * sizeof(float) <= kTriBytes, "the staged x, y, label must fit");
static_assert(kMaxCandidates <= 65536, "ranks are stored as uint16");

enum : uint8_t { kUndecided = 0, kKept = 1, kRemoved = 2 };

struct NmsWorkspace {
  uint16_t* order;      // [max_boxes] rank -> input position (unsorted input only)
  float* xyl;           // [max_boxes, 3] x, y, label by rank (unsorted input only)
  uint64_t* mask;       // [max_boxes, words] row r, word w: the ranks of tile w that rank r suppresses (w >= r / 64)
  uint16_t* lists;      // [max_boxes, kListCap] rank r's first suppressors (ranks below r), ascending
  int32_t* list_count;  // [max_boxes] rank r's number of suppressors (may exceed kListCap)
};

struct NmsArgs {
  int cap, words, max_output;
  float squared_radius;
  bool inclusive, per_class, input_sorted, suppressor_lists;
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
    *x = __ldcg(a.w.xyl + 3 * r);
    *y = __ldcg(a.w.xyl + 3 * r + 1);
    *l = __ldcg(a.w.xyl + 3 * r + 2);
  }
}

__device__ __forceinline__ uint64_t MaskWord(NmsArgs const& a, int row, int word) {
  return __ldcg(reinterpret_cast<unsigned long long const*>(a.w.mask + static_cast<int64_t>(row) * a.words + word));
}

// Offset of tile row `b`'s first word in the shared triangle: tile rows before it hold 64 x (wn - b') words each.
__device__ __forceinline__ int TriTileOffset(int b, int wn) { return kTile * (b * wn - b * (b - 1) / 2); }

// Every warp of the grid lists the suppressors of its ranks: the ranks j < i with Suppresses(j, i), ascending, the
// first kListCap of them, and their number. The blocks that hold ranks stage every rank's x, y, label first.
__device__ void ListSuppressors(NmsArgs const& a, int n, unsigned char* dyn) {
  if (blockIdx.x * kWarps >= n) return;  // block-uniform: this block holds no rank
  float* sx = reinterpret_cast<float*>(dyn);
  float* sy = sx + n;
  float* sl = sy + n;
  for (int r = threadIdx.x; r < n; r += blockDim.x) RankXyl(a, r, sx + r, sy + r, sl + r);
  __syncthreads();
  int const lane = threadIdx.x & 31;
  unsigned const below_lane = (1u << lane) - 1;
  for (int i = blockIdx.x * kWarps + threadIdx.x / 32; i < n; i += gridDim.x * kWarps) {
    float const xi = sx[i], yi = sy[i], li = sl[i];
    uint16_t* list = a.w.lists + static_cast<int64_t>(i) * kListCap;
    int count = 0;
    for (int base = 0; base < i; base += 32) {
      int const j = base + lane;
      bool const hit =
          j < i && circle::Suppresses(sx[j], sy[j], sl[j], xi, yi, li, a.squared_radius, a.inclusive, a.per_class);
      unsigned const ballot = __ballot_sync(0xffffffffu, hit);
      int const slot = count + __popc(ballot & below_lane);
      if (hit && slot < kListCap) list[slot] = static_cast<uint16_t>(j);
      count += __popc(ballot);
    }
    if (lane >= count && lane < kListCap) list[lane] = 0;  // unused slots defined (compute-sanitizer initcheck)
    if (lane == 0) a.w.list_count[i] = count;
  }
}

// One block: the greedy result from the suppressor lists (every rank has at most kListCap suppressors). A rank is
// removed once one of its suppressors is kept and kept once all of them are removed; each round decides every rank
// whose suppressors were all decided in the round before (a rank with none is kept at once), so after round k every
// rank at the end of a suppression chain of length <= k is decided, exactly as the serial sweep decides it. After
// kMaxRounds one warp decides the rest in rank order. Leaves the kept ranks in s.keep.
__device__ void ResolveLists(NmsArgs const& a, int n, int wn, unsigned char* dyn, SweepShared& s) {
  uint16_t* lists = reinterpret_cast<uint16_t*>(dyn);                         // [n, kListCap]
  uint8_t* count = dyn + static_cast<size_t>(kMaxCandidates) * kListCap * 2;  // [n]
  uint8_t* const state0 = count + kMaxCandidates;  // [n] each: one round's states, the next round's
  uint8_t* const state1 = count + 2 * kMaxCandidates;
  uint4 const* src = reinterpret_cast<uint4 const*>(a.w.lists);
  uint4* dst = reinterpret_cast<uint4*>(lists);
  constexpr int kChunks = kListCap * sizeof(uint16_t) / sizeof(uint4);
  for (int e = threadIdx.x; e < n * kChunks; e += blockDim.x) dst[e] = __ldcg(src + e);
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    int const c = __ldcg(a.w.list_count + i);
    count[i] = static_cast<uint8_t>(c);
    state0[i] = c == 0 ? kKept : kUndecided;
  }
  __syncthreads();
  int cur = 0;
  for (int round = 1;; ++round) {
    uint8_t const* in = cur ? state1 : state0;
    uint8_t* out = cur ? state0 : state1;
    int open = 0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
      uint8_t v = in[i];
      if (v == kUndecided) {
        bool killed = false, waiting = false;
        uint16_t const* li = lists + i * kListCap;
        for (int k = 0; k < count[i]; ++k) {
          uint8_t const sj = in[li[k]];
          killed |= sj == kKept;
          waiting |= sj == kUndecided;
        }
        v = killed ? kRemoved : (waiting ? kUndecided : kKept);
        open |= v == kUndecided;
      }
      out[i] = v;
    }
    cur ^= 1;
    if (!__syncthreads_or(open)) break;
    if (round == kMaxRounds) {  // a long chain: one warp finishes in rank order (every lower rank is decided)
      if (threadIdx.x < 32) {
        uint8_t* st = cur ? state1 : state0;
        int const lane = threadIdx.x;
        for (int i = 0; i < n; ++i) {
          if (st[i] != kUndecided) continue;
          bool const hit = lane < count[i] && st[lists[i * kListCap + lane]] == kKept;
          bool const killed = __any_sync(0xffffffffu, hit);
          __syncwarp();
          if (lane == 0) st[i] = killed ? kRemoved : kKept;
          __syncwarp();
        }
      }
      __syncthreads();
      break;
    }
  }
  uint8_t const* st = cur ? state1 : state0;
  uint32_t* keep32 = reinterpret_cast<uint32_t*>(s.keep);
  for (int w = threadIdx.x / 32; w < 2 * wn; w += kWarps) {
    int const r = w * 32 + (threadIdx.x & 31);
    unsigned const bits = __ballot_sync(0xffffffffu, r < n && st[r] == kKept);
    if ((threadIdx.x & 31) == 0) keep32[w] = bits;
  }
}

// One block: the kept ranks of s.keep, at most max_output of them, in rank order.
__device__ void WriteKept(NmsArgs const& a, int n, int wn, SweepShared& s) {
  __syncthreads();
  if (threadIdx.x < 32) {  // prefix sums of the kept counts per 64 ranks, two words a lane
    int const lane = threadIdx.x;
    int const c0 = 2 * lane < wn ? __popcll(s.keep[2 * lane]) : 0;
    int const c1 = 2 * lane + 1 < wn ? __popcll(s.keep[2 * lane + 1]) : 0;
    int sum = c0 + c1;
    for (int off = 1; off < 32; off <<= 1) {
      int const up = __shfl_up_sync(0xffffffffu, sum, off);
      if (lane >= off) sum += up;
    }
    int const before = sum - c0 - c1;
    if (2 * lane < wn) s.prefix[2 * lane] = before;
    if (2 * lane + 1 < wn) s.prefix[2 * lane + 1] = before + c0;
    if (lane == 31) *a.num_out = sum < a.max_output ? sum : a.max_output;
  }
  __syncthreads();
  for (int r = threadIdx.x; r < n; r += blockDim.x) {
    int const b = r / kTile, j = r % kTile;
    uint64_t const keep = s.keep[b];
    if (!(keep >> j & 1)) continue;
    int const rank = s.prefix[b] + __popcll(keep & ((uint64_t{1} << j) - 1));
    if (rank >= a.max_output) continue;
    int const src = a.input_sorted ? r : a.w.order[r];
    float const* from = a.boxes + static_cast<int64_t>(src) * kBoxFields;
    float* to = a.out_boxes + static_cast<int64_t>(rank) * kBoxFields;
    float v[kBoxFields];
#pragma unroll
    for (int d = 0; d < kBoxFields; ++d) v[d] = from[d];
#pragma unroll
    for (int d = 0; d < kBoxFields; ++d) to[d] = v[d];
  }
}

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
  StartAfterPreviousGrid();
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
  if (a.suppressor_lists) {  // grid-uniform: lists, and the mask below only when some rank's list overflowed
    ListSuppressors(a, n, dyn);
    grid.sync();
    int over = 0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) over |= __ldcg(a.w.list_count + i) > kListCap;
    if (!__syncthreads_or(over)) {  // every block reads the same counts
      if (blockIdx.x != 0) return;
      ResolveLists(a, n, wn, dyn, s);
      WriteKept(a, n, wn, s);
      return;
    }
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
  w.lists = carver.Take<uint16_t>(static_cast<size_t>(c.max_boxes) * kListCap);
  w.list_count = carver.Take<int32_t>(c.max_boxes);
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
  AWML_RETURN_IF_ERROR(CheckBytes("circle nms | workspace", workspace_bytes, need));
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
  int64_t wanted = (tiles + kGroups - 1) / kGroups;
  if (config.suppressor_lists) wanted = std::max<int64_t>(wanted, (config.max_boxes + kWarps - 1) / kWarps);
  AWML_RETURN_IF_ERROR(grid.Blocks(NmsKernel, kNmsThreads, kTriBytes, wanted, &blocks));
  NmsArgs const args{config.max_boxes,
                     words,
                     config.max_output,
                     config.squared_radius,
                     config.inclusive,
                     config.per_class,
                     config.input_sorted,
                     config.suppressor_lists,
                     boxes,
                     num_boxes,
                     out_boxes,
                     num_out,
                     w};
  return LaunchCooperative(NmsKernel, blocks, kNmsThreads, kTriBytes, static_cast<cudaStream_t>(stream), args);
}

}  // namespace awml::kernels
