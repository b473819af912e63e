// CUDA circle NMS in one kernel of one block, in shared memory: sort by score (unless input_sorted), then the greedy
// sweep 64 ranks at a time, then the kept boxes written in rank order. No workspace, no host synchronisation.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "cpp/common/cuda_status.h"
#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/circle_nms/suppress.h"
#include "cpp/plugins/kernels/decode/head_math.h"
#include "cpp/plugins/kernels/decode/score_sort.cuh"

namespace awml::kernels {
namespace {

constexpr int kTile = 64;
constexpr int kMaxWords = kMaxCandidates / kTile;
constexpr int kNmsThreads = score_sort::kSortThreads;

struct NmsArgs {
  int cap, max_output;
  float squared_radius;
  bool inclusive, per_class, input_sorted;
  float const* boxes;
  int32_t const* num_boxes;
  float* out_boxes;
  int32_t* num_out;
};

// Shared-memory layout for a capacity of `cap` boxes (dynamic shared memory; keys are reused for x, y once sorted).
struct NmsShared {
  uint64_t* keys;     // [NextPow2(cap)] sort keys, then float2 (x, y) by rank
  uint16_t* order;    // [NextPow2(cap)] rank -> input position
  float* label;       // [cap] by rank
  uint32_t* removed;  // [2 * ceil(cap / 64)] bit per rank
};

__host__ __device__ inline int Pow2AtLeast(int n) {
  int p = 1;
  while (p < n) p <<= 1;
  return p;
}

__host__ __device__ inline size_t NmsSharedBytes(int cap) {
  size_t const p2 = static_cast<size_t>(Pow2AtLeast(cap));
  return p2 * sizeof(uint64_t) + p2 * sizeof(uint16_t) + static_cast<size_t>(cap) * sizeof(float) +
         static_cast<size_t>(2 * ((cap + kTile - 1) / kTile)) * sizeof(uint32_t);
}

__device__ bool RemovedBit(uint32_t const* removed, int r) { return removed[r >> 5] >> (r & 31) & 1u; }

// One block does everything, in shared memory: rank (sort unless input_sorted), then the greedy sweep 64 ranks at
// a time: the 64 x 64 suppression bits of the step's ranks, the serial keep decision over the not yet removed
// ones (only kept ranks cost an iteration), and every later rank tested against the step's kept boxes in
// parallel. The same Suppresses() and the same order as CircleNmsCpu, so the same boxes.
__global__ void __launch_bounds__(kNmsThreads) NmsKernel(NmsArgs a) {
  extern __shared__ __align__(16) unsigned char smem[];
  __shared__ uint64_t diag[kTile];
  __shared__ uint64_t keep[kMaxWords];
  __shared__ int prefix[kMaxWords + 1];
  __shared__ uint16_t kept_list[kTile];
  __shared__ int kept_count;
  int const p2 = Pow2AtLeast(a.cap);
  NmsShared sh;
  sh.keys = reinterpret_cast<uint64_t*>(smem);
  sh.order = reinterpret_cast<uint16_t*>(sh.keys + p2);
  sh.label = reinterpret_cast<float*>(sh.order + p2);
  sh.removed = reinterpret_cast<uint32_t*>(sh.label + a.cap);
  int n = *a.num_boxes;
  n = n < 0 ? 0 : (n > a.cap ? a.cap : n);
  int const size = a.input_sorted ? n : score_sort::NextPow2(n);
  for (int i = threadIdx.x; i < size; i += blockDim.x) {
    sh.keys[i] =
        i < n ? head_math::ScoreKey(a.boxes[i * kBoxFields + kBoxScore], static_cast<uint32_t>(i)) : ~uint64_t{0};
    sh.order[i] = static_cast<uint16_t>(i);
  }
  int const words = (n + kTile - 1) / kTile;
  for (int w = threadIdx.x; w < 2 * words; w += blockDim.x) sh.removed[w] = 0;
  __syncthreads();
  if (!a.input_sorted) score_sort::BlockSortPairs(sh.keys, sh.order, n);
  __syncthreads();
  float2* xy = reinterpret_cast<float2*>(sh.keys);  // the keys are no longer needed
  for (int r = threadIdx.x; r < n; r += blockDim.x) {
    float const* b = a.boxes + sh.order[r] * kBoxFields;
    xy[r] = make_float2(b[kBoxX], b[kBoxY]);
    sh.label[r] = b[kBoxLabel];
  }
  __syncthreads();
  for (int step = 0; step < words; ++step) {
    int const r0 = step * kTile;
    int const rows = min(kTile, n - r0);
    if (threadIdx.x < kTile) diag[threadIdx.x] = 0;
    __syncthreads();
    {  // 64 x 64 bits among the step's ranks: thread t tests row t / 16 against 4 columns.
      int const j = threadIdx.x >> 4, k0 = (threadIdx.x & 15) * 4;
      if (j < rows) {
        uint64_t bits = 0;
        float2 const pj = xy[r0 + j];
        float const lj = sh.label[r0 + j];
        for (int k = k0; k < k0 + 4; ++k) {
          if (k > j && k < rows) {
            float2 const pk = xy[r0 + k];
            if (circle::Suppresses(pj.x, pj.y, lj, pk.x, pk.y, sh.label[r0 + k], a.squared_radius, a.inclusive,
                                   a.per_class)) {
              bits |= uint64_t{1} << k;
            }
          }
        }
        if (bits) atomicOr(reinterpret_cast<unsigned long long*>(&diag[j]), static_cast<unsigned long long>(bits));
      }
    }
    __syncthreads();
    if (threadIdx.x == 0) {  // the only serial part: one iteration per kept rank of the step
      uint64_t const row_mask = rows == kTile ? ~uint64_t{0} : (uint64_t{1} << rows) - 1;
      uint64_t const rem = static_cast<uint64_t>(sh.removed[2 * step + 1]) << 32 | sh.removed[2 * step];
      uint64_t avail = ~rem & row_mask, kept = 0;
      int count = 0;
      while (avail) {
        int const j = __ffsll(static_cast<long long>(avail)) - 1;
        kept |= uint64_t{1} << j;
        kept_list[count++] = static_cast<uint16_t>(r0 + j);
        avail &= ~diag[j];
        avail &= ~((uint64_t{2} << j) - 1);  // j == 63: 2 << 63 wraps to 0, and 0 - 1 clears every bit
      }
      keep[step] = kept;
      kept_count = count;
    }
    __syncthreads();
    int const kc = kept_count;
    for (int r = r0 + rows + threadIdx.x; r < n && kc > 0; r += blockDim.x) {
      if (RemovedBit(sh.removed, r)) continue;
      float2 const pr = xy[r];
      float const lr = sh.label[r];
      for (int q = 0; q < kc; ++q) {
        int const k = kept_list[q];
        float2 const pk = xy[k];
        if (circle::Suppresses(pk.x, pk.y, sh.label[k], pr.x, pr.y, lr, a.squared_radius, a.inclusive, a.per_class)) {
          atomicOr(&sh.removed[r >> 5], 1u << (r & 31));
          break;
        }
      }
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    prefix[0] = 0;
    for (int b = 0; b < words; ++b) prefix[b + 1] = prefix[b] + __popcll(keep[b]);
    *a.num_out = prefix[words] < a.max_output ? prefix[words] : a.max_output;
  }
  __syncthreads();
  for (int e = threadIdx.x; e < n * kBoxFields; e += blockDim.x) {
    int const r = e / kBoxFields, d = e % kBoxFields, b = r / kTile, j = r % kTile;
    if (!(keep[b] >> j & 1)) continue;
    int const rank = prefix[b] + __popcll(keep[b] & ((uint64_t{1} << j) - 1));
    if (rank < a.max_output) {
      a.out_boxes[static_cast<int64_t>(rank) * kBoxFields + d] = a.boxes[sh.order[r] * kBoxFields + d];
    }
  }
}

}  // namespace

Status CircleNmsCudaWorkspaceBytes(CircleNmsConfig const& config, size_t* bytes) {
  Status s = ValidateCircleNmsConfig(config);
  if (!s.ok()) return s;
  *bytes = 0;  // the CUDA path works in shared memory
  return OkStatus();
}

Status CircleNmsCuda(CircleNmsConfig const& config, float const* boxes, int32_t const* num_boxes, float* out_boxes,
                     int32_t* num_out, void* /*workspace*/, size_t /*workspace_bytes*/, StreamHandle stream) {
  Status s = ValidateCircleNmsConfig(config);
  if (!s.ok()) return s;
  if (!boxes || !num_boxes || !out_boxes || !num_out) {
    return InvalidArgumentError("circle nms | a required device pointer is null");
  }
  size_t const smem = NmsSharedBytes(config.max_boxes);
  // The opt-in above 48 KiB is a per-device function attribute: set once per device (largest size seen so far),
  // so a launch under stream capture makes no attribute call.
  static std::atomic<size_t> opted_in[64] = {};
  int device = 0;
  AWML_RETURN_IF_CUDA_ERROR(cudaGetDevice(&device), "circle nms: device");
  std::atomic<size_t>* flag = device >= 0 && device < 64 ? &opted_in[device] : nullptr;
  if (!flag || flag->load() < smem) {
    AWML_RETURN_IF_CUDA_ERROR(
        cudaFuncSetAttribute(NmsKernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)),
        "circle nms: shared memory size");
    if (flag) flag->store(smem);
  }
  NmsArgs const args{config.max_boxes,
                     config.max_output,
                     config.squared_radius,
                     config.inclusive,
                     config.per_class,
                     config.input_sorted,
                     boxes,
                     num_boxes,
                     out_boxes,
                     num_out};
  NmsKernel<<<1, kNmsThreads, smem, static_cast<cudaStream_t>(stream)>>>(args);
  return CudaStatus(cudaGetLastError(), "circle nms: kernel");
}

}  // namespace awml::kernels
