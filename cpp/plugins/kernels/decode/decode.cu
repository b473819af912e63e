// CUDA CenterPoint decode in one cooperative launch: one thread per cell (or per class and cell), warp-aggregated
// atomic compaction into a fixed candidate buffer, a grid-wide barrier, then block 0 sorts by (score desc, flat
// index) and writes the top_k boxes.
#include <cooperative_groups.h>

#include <cstdint>

#include "cpp/common/cooperative_launch.h"
#include "cpp/common/cuda_status.h"
#include "cpp/common/workspace_carver.h"
#include "cpp/plugins/kernels/decode/decode.h"
#include "cpp/plugins/kernels/decode/head_math.h"
#include "cpp/plugins/kernels/decode/score_sort.cuh"

namespace awml::kernels {
namespace {

namespace cg = cooperative_groups;

struct Candidates {
  float* boxes;    // [max_candidates, kBoxFields]
  uint64_t* keys;  // [max_candidates]
  int32_t* total;  // candidates found (may exceed max_candidates)
};

// Pushes this lane's box (when `found`) with one atomic per warp. Every lane of the warp must call it.
__device__ __forceinline__ void PushWarp(Candidates const& c, int cap, bool found, float const* box, uint32_t flat) {
  unsigned const votes = __ballot_sync(0xffffffffu, found);
  if (votes == 0) return;
  int const lane = threadIdx.x & 31;
  int const leader = __ffs(votes) - 1;
  int32_t base = 0;
  if (lane == leader) base = atomicAdd(c.total, __popc(votes));
  base = __shfl_sync(0xffffffffu, base, leader);
  if (!found) return;
  int32_t const slot = base + __popc(votes & ((1u << lane) - 1u));
  if (slot >= cap) return;
  for (int d = 0; d < kBoxFields; ++d) c.boxes[slot * kBoxFields + d] = box[d];
  c.keys[slot] = head_math::ScoreKey(box[kBoxScore], flat);
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

// Block 0 after the barrier: sort the candidates by (score desc, flat index), keep top_k, apply the centre range.
__device__ void SortAndWrite(DecodeArgs const& a, uint64_t* keys, uint16_t* vals) {
  Candidates const& c = a.c;
  int const total = *c.total;
  int const n = total < a.cap ? total : a.cap;
  int const size = score_sort::NextPow2(n);
  for (int i = threadIdx.x; i < size; i += blockDim.x) {
    keys[i] = i < n ? c.keys[i] : ~uint64_t{0};
    vals[i] = static_cast<uint16_t>(i);
  }
  __syncthreads();
  score_sort::BlockSortPairs(keys, vals, n);
  int const m = n < a.top_k ? n : a.top_k;
  int written = m;
  if (a.p.use_center_range) {  // keys are free now: reuse them for the kept flags and output positions
    for (int r = threadIdx.x; r < m; r += blockDim.x) {
      keys[r] = head_math::InCenterRange(a.p, c.boxes + vals[r] * kBoxFields) ? 1 : 0;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      uint64_t pos = 0;
      for (int r = 0; r < m; ++r) {
        uint64_t const keep = keys[r];
        keys[r] = keep ? pos : ~uint64_t{0};
        pos += keep;
      }
    }
    __syncthreads();
    written = 0;
    for (int r = 0; r < m; ++r) written += keys[r] != ~uint64_t{0};
    for (int e = threadIdx.x; e < m * kBoxFields; e += blockDim.x) {
      int const r = e / kBoxFields, d = e % kBoxFields;
      if (keys[r] != ~uint64_t{0}) a.out_boxes[keys[r] * kBoxFields + d] = c.boxes[vals[r] * kBoxFields + d];
    }
  } else {
    for (int e = threadIdx.x; e < m * kBoxFields; e += blockDim.x) {
      int const r = e / kBoxFields, d = e % kBoxFields;
      a.out_boxes[e] = c.boxes[vals[r] * kBoxFields + d];
    }
  }
  if (threadIdx.x == 0) {
    a.counters[kNumBoxes] = written;
    a.counters[kCandidatesDropped] = total > a.cap ? total - a.cap : 0;
  }
}

// One cooperative launch: clear the candidate count | decode every cell, compacting candidates with one atomic per
// warp | block 0 sorts and writes the boxes.
__global__ void __launch_bounds__(score_sort::kSortThreads) DecodeKernel(DecodeArgs a) {
  __shared__ uint64_t keys[kMaxCandidates];
  __shared__ uint16_t vals[kMaxCandidates];
  cg::grid_group grid = cg::this_grid();
  if (grid.thread_rank() == 0) *a.c.total = 0;
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
    PushWarp(a.c, a.cap, found, box, static_cast<uint32_t>(t));
  }
  grid.sync();
  if (blockIdx.x == 0) SortAndWrite(a, keys, vals);
}

Candidates Carve(DecodeConfig const& config, void* base, size_t* bytes) {
  WorkspaceCarver w(base);
  Candidates c;
  c.boxes = w.Take<float>(static_cast<size_t>(config.max_candidates) * kBoxFields);
  c.keys = w.Take<uint64_t>(config.max_candidates);
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
  if (workspace_bytes < need) {
    return InvalidArgumentError("decode | workspace too small. Note: expected >= " + std::to_string(need) +
                                " bytes, got " + std::to_string(workspace_bytes));
  }
  head_math::DecodeParams const p = head_math::MakeDecodeParams(config);
  int64_t const threads =
      static_cast<int64_t>(config.grid_x) * config.grid_y * (config.mode == DecodeMode::kTopK ? config.num_classes : 1);
  static CooperativeGrid grid;
  int blocks = 0;
  int const threads_per_block = score_sort::kSortThreads;
  AWML_RETURN_IF_ERROR(
      grid.Blocks(DecodeKernel, threads_per_block, 0, (threads + threads_per_block - 1) / threads_per_block, &blocks));
  DecodeArgs const args{p, heads, config.max_candidates, config.top_k, threads, c, out.boxes, out.counters};
  return LaunchCooperative(DecodeKernel, blocks, threads_per_block, 0, static_cast<cudaStream_t>(stream), args);
}

}  // namespace awml::kernels
