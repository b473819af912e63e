// CUDA circle NMS, entirely on the device: (1) one block sorts by score (unless input_sorted), (2) a 64 x 64 tiled
// kernel builds the suppression bit mask (upper triangle), (3) one block sweeps it greedily, 64 boxes per step, and
// writes the kept boxes. Workspace is caller-owned and persistent.
#include <cstdint>

#include "cpp/common/cuda_status.h"
#include "cpp/common/workspace_carver.h"
#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/circle_nms/suppress.h"
#include "cpp/plugins/kernels/decode/head_math.h"
#include "cpp/plugins/kernels/decode/score_sort.cuh"

namespace awml::kernels {
namespace {

constexpr int kTile = 64;
constexpr int kMaxWords = kMaxCandidates / kTile;
constexpr int kSweepThreads = 1024;

struct NmsWorkspace {
  int32_t* n;       // clamped count
  uint16_t* order;  // rank -> input position
  float* xyl;       // [max_boxes, 3] sorted x, y, label
  uint64_t* mask;   // [max_boxes, words]
};

__global__ void __launch_bounds__(score_sort::kSortThreads)
    NmsSortKernel(int cap, bool input_sorted, float const* boxes, int32_t const* num_boxes, NmsWorkspace w) {
  __shared__ uint64_t keys[kMaxCandidates];
  __shared__ uint16_t vals[kMaxCandidates];
  int n = *num_boxes;
  n = n < 0 ? 0 : (n > cap ? cap : n);
  int const size = score_sort::NextPow2(n);
  for (int i = threadIdx.x; i < size; i += blockDim.x) {
    keys[i] = i < n ? head_math::ScoreKey(boxes[i * kBoxFields + kBoxScore], static_cast<uint32_t>(i)) : ~uint64_t{0};
    vals[i] = static_cast<uint16_t>(i);
  }
  __syncthreads();
  if (!input_sorted) score_sort::BlockSortPairs(keys, vals, n);
  for (int r = threadIdx.x; r < n; r += blockDim.x) {
    float const* b = boxes + vals[r] * kBoxFields;
    w.order[r] = vals[r];
    w.xyl[3 * r + 0] = b[kBoxX];
    w.xyl[3 * r + 1] = b[kBoxY];
    w.xyl[3 * r + 2] = b[kBoxLabel];
  }
  if (threadIdx.x == 0) *w.n = n;
}

__global__ void MaskKernel(int words, float squared_radius, bool inclusive, bool per_class, NmsWorkspace w) {
  int const row_tile = blockIdx.y, col_tile = blockIdx.x;
  if (col_tile < row_tile) return;
  int const n = *w.n;
  int const row0 = row_tile * kTile, col0 = col_tile * kTile;
  if (row0 >= n || col0 >= n) return;
  __shared__ float cols[kTile * 3];
  int const cols_here = min(kTile, n - col0);
  if (threadIdx.x < cols_here) {
    for (int d = 0; d < 3; ++d) cols[threadIdx.x * 3 + d] = w.xyl[(col0 + threadIdx.x) * 3 + d];
  }
  __syncthreads();
  int const i = row0 + threadIdx.x;
  if (i >= n) return;
  float const xi = w.xyl[3 * i], yi = w.xyl[3 * i + 1], li = w.xyl[3 * i + 2];
  uint64_t bits = 0;
  int const start = (row_tile == col_tile) ? threadIdx.x + 1 : 0;
  for (int k = start; k < cols_here; ++k) {
    if (circle::Suppresses(xi, yi, li, cols[3 * k], cols[3 * k + 1], cols[3 * k + 2], squared_radius, inclusive,
                           per_class)) {
      bits |= uint64_t{1} << k;
    }
  }
  w.mask[static_cast<int64_t>(i) * words + col_tile] = bits;
}

__global__ void __launch_bounds__(kSweepThreads)
    SweepKernel(int words, int max_output, float const* boxes, NmsWorkspace w, float* out_boxes, int32_t* num_out) {
  __shared__ unsigned long long removed[kMaxWords];
  __shared__ uint64_t keep[kMaxWords];
  __shared__ uint64_t diag[kTile];
  __shared__ int prefix[kMaxWords + 1];
  int const n = *w.n;
  int const used_words = (n + kTile - 1) / kTile;
  for (int i = threadIdx.x; i < used_words; i += blockDim.x) removed[i] = 0;
  for (int b = 0; b < used_words; ++b) {
    int const rows = min(kTile, n - b * kTile);
    if (threadIdx.x < kTile) {
      diag[threadIdx.x] = threadIdx.x < rows ? w.mask[static_cast<int64_t>(b * kTile + threadIdx.x) * words + b] : 0;
    }
    __syncthreads();
    if (threadIdx.x == 0) {  // the only serial part: 64 boxes against each other, in shared memory
      uint64_t rem = removed[b], kept = 0;
      for (int j = 0; j < rows; ++j) {
        if (rem >> j & 1) continue;
        kept |= uint64_t{1} << j;
        rem |= diag[j];
      }
      keep[b] = kept;
    }
    __syncthreads();
    uint64_t const kept = keep[b];
    int const rest = used_words - b - 1;
    for (int idx = threadIdx.x; idx < kTile * rest; idx += blockDim.x) {
      int const j = idx / rest, word = b + 1 + idx % rest;
      if (!(kept >> j & 1)) continue;
      uint64_t const bits = w.mask[static_cast<int64_t>(b * kTile + j) * words + word];
      if (bits) atomicOr(&removed[word], static_cast<unsigned long long>(bits));
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    prefix[0] = 0;
    for (int b = 0; b < used_words; ++b) prefix[b + 1] = prefix[b] + __popcll(keep[b]);
    *num_out = prefix[used_words] < max_output ? prefix[used_words] : max_output;
  }
  __syncthreads();
  for (int e = threadIdx.x; e < n * kBoxFields; e += blockDim.x) {
    int const r = e / kBoxFields, d = e % kBoxFields, b = r / kTile, j = r % kTile;
    if (!(keep[b] >> j & 1)) continue;
    int const rank = prefix[b] + __popcll(keep[b] & ((uint64_t{1} << j) - 1));
    if (rank < max_output) out_boxes[static_cast<int64_t>(rank) * kBoxFields + d] = boxes[w.order[r] * kBoxFields + d];
  }
}

NmsWorkspace Carve(CircleNmsConfig const& c, void* base, size_t* bytes) {
  int const words = (c.max_boxes + kTile - 1) / kTile;
  WorkspaceCarver carver(base);
  NmsWorkspace w;
  w.n = carver.Take<int32_t>(1);
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
  NmsSortKernel<<<1, score_sort::kSortThreads, 0, stream>>>(config.max_boxes, config.input_sorted, boxes, num_boxes, w);
  AWML_RETURN_IF_CUDA_ERROR(cudaGetLastError(), "circle nms: sort kernel");
  MaskKernel<<<dim3(words, words), kTile, 0, stream>>>(words, config.squared_radius, config.inclusive, config.per_class,
                                                       w);
  AWML_RETURN_IF_CUDA_ERROR(cudaGetLastError(), "circle nms: mask kernel");
  SweepKernel<<<1, kSweepThreads, 0, stream>>>(words, config.max_output, boxes, w, out_boxes, num_out);
  return CudaStatus(cudaGetLastError(), "circle nms: sweep kernel");
}

}  // namespace awml::kernels
