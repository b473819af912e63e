// CUDA CenterPoint decode in one cooperative launch: one thread per cell (or per class and cell), warp-aggregated
// atomic compaction into a fixed candidate buffer, a grid-wide barrier, then every warp of the grid ranks candidates
// by (score desc, flat index) and writes the top_k boxes at their ranks.
#include <cooperative_groups.h>

#include <cstdint>

#include "cpp/common/cooperative_launch.h"
#include "cpp/common/cuda_status.h"
#include "cpp/common/warp_append.cuh"
#include "cpp/common/workspace_carver.h"
#include "cpp/plugins/kernels/decode/decode.h"
#include "cpp/plugins/kernels/decode/head_math.h"

namespace awml::kernels {
namespace {

namespace cg = cooperative_groups;

constexpr int kDecodeThreads = 1024;

struct Candidates {
  float* boxes;     // [max_candidates, kBoxFields]
  uint64_t* keys;   // [max_candidates]
  uint8_t* inside;  // [max_candidates] centre inside center_range (always 1 without it)
  int32_t* total;   // candidates found (may exceed max_candidates)
};

// Pushes this lane's box (when `found`) with one atomic per warp. Every lane of the warp must call it.
__device__ __forceinline__ void PushWarp(Candidates const& c, int cap, bool found, float const* box, uint32_t flat,
                                         bool inside) {
  int32_t const slot = WarpAppend(found, c.total);
  if (slot < 0 || slot >= cap) return;
  for (int d = 0; d < kBoxFields; ++d) c.boxes[slot * kBoxFields + d] = box[d];
  c.keys[slot] = head_math::ScoreKey(box[kBoxScore], flat);
  c.inside[slot] = inside ? 1 : 0;
}

struct DecodeArgs {
  head_math::DecodeParams p;
  HeadTensors h;
  int cap, top_k;
  int64_t work;  // cells (kArgmax) or classes x cells (kTopK)
  Candidates c;
  float* out_boxes;
  int32_t* counters;
};

// After the barrier, every warp of the grid ranks candidates: the rank of candidate i is the number of keys below
// its key (keys are unique: score descending, then flat index), so ranks are the sorted order without a sort. A
// candidate of rank < top_k is written at its rank, or, with the centre range, at the number of lower keys whose
// centre is inside (mmdet3d's order: top-k, then the range filter). Each block holds every key in shared memory.
__device__ void RankAndWrite(DecodeArgs const& a, uint64_t* keys, uint8_t* inside) {
  Candidates const& c = a.c;
  int const total = *c.total;
  int const n = total < a.cap ? total : a.cap;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    keys[i] = c.keys[i];
    inside[i] = c.inside[i];
  }
  __syncthreads();
  int const lane = threadIdx.x & 31;
  int const warps = gridDim.x * (blockDim.x / 32);
  for (int i = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32; i < n; i += warps) {
    uint64_t const key = keys[i];
    int below = 0, below_inside = 0;
    for (int j = lane; j < n; j += 32) {
      bool const lower = keys[j] < key;
      below += lower;
      below_inside += lower && inside[j];
    }
    for (int off = 16; off > 0; off >>= 1) {
      below += __shfl_xor_sync(0xffffffffu, below, off);
      below_inside += __shfl_xor_sync(0xffffffffu, below_inside, off);
    }
    if (below >= a.top_k || !inside[i]) continue;
    int const pos = a.p.use_center_range ? below_inside : below;
    if (lane < kBoxFields) a.out_boxes[pos * kBoxFields + lane] = c.boxes[i * kBoxFields + lane];
    if (a.p.use_center_range && lane == 0) atomicMax(&a.counters[kNumBoxes], pos + 1);
  }
  if (blockIdx.x == 0 && threadIdx.x == 0) {
    if (!a.p.use_center_range) a.counters[kNumBoxes] = n < a.top_k ? n : a.top_k;
    a.counters[kCandidatesDropped] = total > a.cap ? total - a.cap : 0;
  }
}

// One cooperative launch: clear the candidate count | decode every cell, compacting candidates with one atomic per
// warp | rank and write the boxes over the whole grid.
__global__ void __launch_bounds__(kDecodeThreads) DecodeKernel(DecodeArgs a) {
  __shared__ uint64_t keys[kMaxCandidates];
  __shared__ uint8_t inside[kMaxCandidates];
  StartAfterPreviousGrid();
  cg::grid_group grid = cg::this_grid();
  if (grid.thread_rank() == 0) {
    *a.c.total = 0;
    a.counters[kNumBoxes] = 0;  // raised by atomicMax with the centre range
  }
  grid.sync();
  int const plane = a.p.grid_x * a.p.grid_y;
  int64_t const stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t base = static_cast<int64_t>(blockIdx.x) * blockDim.x; base < a.work; base += stride) {
    int const t = static_cast<int>(base + threadIdx.x);
    float box[kBoxFields];
    bool found = false;
    if (t < a.work) {
      if (a.p.topk) {
        int const label = t / plane, cell = t % plane;
        float const score = head_math::Sigmoid(a.h.heatmap[t]);
        found = head_math::DecodeBox(a.p, a.h, cell, label, score, box);
      } else {
        float score = 0.0f;
        int const label = head_math::ArgmaxClass(a.p, a.h.heatmap, t, &score);
        found = head_math::DecodeBox(a.p, a.h, t, label, score, box);
      }
    }
    PushWarp(a.c, a.cap, found, box, static_cast<uint32_t>(t), found && head_math::InCenterRange(a.p, box));
  }
  grid.sync();
  RankAndWrite(a, keys, inside);
}

Candidates Carve(DecodeConfig const& config, void* base, size_t* bytes) {
  WorkspaceCarver w(base);
  Candidates c;
  c.boxes = w.Take<float>(static_cast<size_t>(config.max_candidates) * kBoxFields);
  c.keys = w.Take<uint64_t>(config.max_candidates);
  c.inside = w.Take<uint8_t>(config.max_candidates);
  c.total = w.Take<int32_t>(1);
  *bytes = w.bytes();
  return c;
}

}  // namespace

Status DecodeCudaWorkspaceBytes(DecodeConfig const& config, size_t* bytes) {
  Status s = ValidateDecodeConfig(config);
  if (!s.ok()) return s;
  Carve(config, nullptr, bytes);
  return OkStatus();
}

Status DecodeCuda(DecodeConfig const& config, HeadTensors const& heads, DecodeOutputs const& out, void* workspace,
                  size_t workspace_bytes, StreamHandle stream) {
  Status s = ValidateDecodeConfig(config);
  if (!s.ok()) return s;
  if (!heads.heatmap || !heads.reg || !heads.height || !heads.dim || !heads.rot || !out.boxes || !out.counters ||
      !workspace) {
    return InvalidArgumentError("decode | a required device pointer is null (only vel may be null)");
  }
  size_t need = 0;
  Candidates const c = Carve(config, workspace, &need);
  AWML_RETURN_IF_ERROR(CheckBytes("decode | workspace", workspace_bytes, need));
  head_math::DecodeParams const p = head_math::MakeDecodeParams(config);
  int64_t const threads =
      static_cast<int64_t>(config.grid_x) * config.grid_y * (config.mode == DecodeMode::kTopK ? config.num_classes : 1);
  static CooperativeGrid grid;
  int blocks = 0;
  int const threads_per_block = kDecodeThreads;
  AWML_RETURN_IF_ERROR(
      grid.Blocks(DecodeKernel, threads_per_block, 0, (threads + threads_per_block - 1) / threads_per_block, &blocks));
  DecodeArgs const args{p, heads, config.max_candidates, config.top_k, threads, c, out.boxes, out.counters};
  return LaunchCooperative(DecodeKernel, blocks, threads_per_block, 0, static_cast<cudaStream_t>(stream), args);
}

}  // namespace awml::kernels
