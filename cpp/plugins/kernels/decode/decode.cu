// CUDA CenterPoint decode: one thread per cell (or per class and cell), atomic compaction into a fixed
// candidate buffer, then one block sorts by (score desc, flat index) and writes the top_k boxes.
#include <cstdint>

#include "cpp/common/cuda_status.h"
#include "cpp/common/workspace_carver.h"
#include "cpp/plugins/kernels/decode/decode.h"
#include "cpp/plugins/kernels/decode/head_math.h"
#include "cpp/plugins/kernels/decode/score_sort.cuh"

namespace awml::kernels {
namespace {

constexpr int kThreads = 256;

struct Candidates {
  float* boxes;    // [max_candidates, kBoxFields]
  uint64_t* keys;  // [max_candidates]
  int32_t* total;  // candidates found (may exceed max_candidates)
};

__device__ __forceinline__ void Push(Candidates const& c, int cap, float const* box, uint32_t flat) {
  int32_t const slot = atomicAdd(c.total, 1);
  if (slot >= cap) return;
  for (int d = 0; d < kBoxFields; ++d) c.boxes[slot * kBoxFields + d] = box[d];
  c.keys[slot] = head_math::ScoreKey(box[kBoxScore], flat);
}

__global__ void DecodeKernel(head_math::DecodeParams p, HeadTensors h, int cap, Candidates c) {
  int const plane = p.grid_x * p.grid_y;
  int const t = blockIdx.x * blockDim.x + threadIdx.x;
  float box[kBoxFields];
  if (p.topk) {
    if (t >= plane * p.num_classes) return;
    int const label = t / plane, cell = t % plane;
    float const score = head_math::Sigmoid(h.heatmap[t]);
    if (head_math::DecodeBox(p, h, cell, label, score, box)) Push(c, cap, box, static_cast<uint32_t>(t));
  } else {
    if (t >= plane) return;
    float score = 0.0f;
    int const label = head_math::ArgmaxClass(p, h.heatmap, t, &score);
    if (head_math::DecodeBox(p, h, t, label, score, box)) Push(c, cap, box, static_cast<uint32_t>(t));
  }
}

__global__ void __launch_bounds__(score_sort::kSortThreads)
    SortKernel(head_math::DecodeParams p, int cap, int top_k, Candidates c, float* out_boxes, int32_t* counters) {
  __shared__ uint64_t keys[kMaxCandidates];
  __shared__ uint16_t vals[kMaxCandidates];
  int const total = *c.total;
  int const n = total < cap ? total : cap;
  int const size = score_sort::NextPow2(n);
  for (int i = threadIdx.x; i < size; i += blockDim.x) {
    keys[i] = i < n ? c.keys[i] : ~uint64_t{0};
    vals[i] = static_cast<uint16_t>(i);
  }
  __syncthreads();
  score_sort::BlockSortPairs(keys, vals, n);
  int const m = n < top_k ? n : top_k;
  int written = m;
  if (p.use_center_range) {  // keys are free now: reuse them for the kept flags and output positions
    for (int r = threadIdx.x; r < m; r += blockDim.x) {
      keys[r] = head_math::InCenterRange(p, c.boxes + vals[r] * kBoxFields) ? 1 : 0;
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
      if (keys[r] != ~uint64_t{0}) out_boxes[keys[r] * kBoxFields + d] = c.boxes[vals[r] * kBoxFields + d];
    }
  } else {
    for (int e = threadIdx.x; e < m * kBoxFields; e += blockDim.x) {
      int const r = e / kBoxFields, d = e % kBoxFields;
      out_boxes[e] = c.boxes[vals[r] * kBoxFields + d];
    }
  }
  if (threadIdx.x == 0) {
    counters[kNumBoxes] = written;
    counters[kCandidatesDropped] = total > cap ? total - cap : 0;
  }
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
  AWML_RETURN_IF_CUDA_ERROR(cudaMemsetAsync(c.total, 0, sizeof(int32_t), stream), "decode: clear count");
  DecodeKernel<<<static_cast<int>((threads + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
      p, heads, config.max_candidates, c);
  AWML_RETURN_IF_CUDA_ERROR(cudaGetLastError(), "decode: decode kernel");
  SortKernel<<<1, score_sort::kSortThreads, 0, stream>>>(p, config.max_candidates, config.top_k, c, out.boxes,
                                                         out.counters);
  return CudaStatus(cudaGetLastError(), "decode: sort kernel");
}

}  // namespace awml::kernels
