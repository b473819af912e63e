// Aggregated appends to a counter: the threads whose predicate holds take consecutive values of *counter with one
// atomicAdd per warp (WarpAppend) or per block (BlockAppend). For .cu files only.
#ifndef AWML_CPP_COMMON_WARP_APPEND_CUH_
#define AWML_CPP_COMMON_WARP_APPEND_CUH_

#include <cstdint>

namespace awml {

//! This lane's value (old *counter + the number of lower lanes with `pred`), or -1 when `pred` is false. Every lane
//! of the warp must call it (full-warp vote).
__device__ __forceinline__ int32_t WarpAppend(bool pred, int32_t* counter) {
  unsigned const votes = __ballot_sync(0xffffffffu, pred);
  if (votes == 0) return -1;
  int const lane = threadIdx.x & 31;
  int const leader = __ffs(votes) - 1;
  int32_t base = 0;
  if (lane == leader) base = atomicAdd(counter, __popc(votes));
  base = __shfl_sync(0xffffffffu, base, leader);
  return pred ? base + __popc(votes & ((1u << lane) - 1u)) : -1;
}

//! Block-aggregated append of kK predicates per thread: the (thread, k) pairs whose predicate holds take consecutive
//! values of *counter with one atomicAdd per block (by its thread 0), numbered warp by warp, then by k, then in lane
//! order. ids[k] is this thread's value for pred[k], or -1 when pred[k] is false. Every thread of the block must call
//! it (full-warp votes, two __syncthreads); kThreads is blockDim.x, a multiple of 32.
template <int kThreads, int kK>
__device__ __forceinline__ void BlockAppend(bool const (&pred)[kK], int32_t* counter, int32_t (&ids)[kK]) {
  static_assert(kThreads % 32 == 0, "BlockAppend: whole warps");
  constexpr int kWarps = kThreads / 32;
  __shared__ int32_t warp_first[kWarps];  // per warp: its count, then its first value
  int const warp = threadIdx.x / 32, lane = threadIdx.x & 31;
  unsigned votes[kK];
  int warp_count = 0;
#pragma unroll
  for (int k = 0; k < kK; ++k) {
    votes[k] = __ballot_sync(0xffffffffu, pred[k]);
    warp_count += __popc(votes[k]);
  }
  if (lane == 0) warp_first[warp] = warp_count;
  __syncthreads();
  if (threadIdx.x == 0) {
    int32_t first[kWarps];
    int32_t sum = 0;
    for (int w = 0; w < kWarps; ++w) {
      first[w] = sum;
      sum += warp_first[w];
    }
    int32_t const base = sum > 0 ? atomicAdd(counter, sum) : 0;
    for (int w = 0; w < kWarps; ++w) warp_first[w] = base + first[w];
  }
  __syncthreads();
  int32_t next = warp_first[warp];
  unsigned const below = (1u << lane) - 1u;
#pragma unroll
  for (int k = 0; k < kK; ++k) {
    ids[k] = pred[k] ? next + __popc(votes[k] & below) : -1;
    next += __popc(votes[k]);
  }
}

}  // namespace awml

#endif  // AWML_CPP_COMMON_WARP_APPEND_CUH_
