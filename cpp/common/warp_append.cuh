// Warp-aggregated append to a counter: the lanes whose predicate holds take consecutive values of *counter with
// one atomicAdd per warp (its first such lane), numbered in lane order. For .cu files only.
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

}  // namespace awml

#endif  // AWML_CPP_COMMON_WARP_APPEND_CUH_
