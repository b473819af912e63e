// Single-block bitonic sort of (ScoreKey, slot) pairs in shared memory, used by decode and circle NMS.
#ifndef AWML_CPP_PLUGINS_KERNELS_DECODE_SCORE_SORT_CUH_
#define AWML_CPP_PLUGINS_KERNELS_DECODE_SCORE_SORT_CUH_

#include <cstdint>

#include "cpp/plugins/kernels/decode/decode.h"

namespace awml::kernels::score_sort {

constexpr int kSortThreads = 1024;

__device__ __forceinline__ int NextPow2(int n) {
  int p = 1;
  while (p < n) p <<= 1;
  return p;
}

// Sorts keys[0, n) ascending (keys are unique), carrying vals. keys[n, NextPow2(n)) must be filled by the caller
// with UINT64_MAX. Every thread of the block must call it.
__device__ __forceinline__ void BlockSortPairs(uint64_t* keys, uint16_t* vals, int n) {
  int const size = NextPow2(n);
  for (int k = 2; k <= size; k <<= 1) {
    for (int j = k >> 1; j > 0; j >>= 1) {
      for (int i = threadIdx.x; i < size; i += blockDim.x) {
        int const ixj = i ^ j;
        if (ixj > i) {
          bool const ascending = (i & k) == 0;
          uint64_t const a = keys[i], b = keys[ixj];
          if ((a > b) == ascending) {
            keys[i] = b;
            keys[ixj] = a;
            uint16_t const v = vals[i];
            vals[i] = vals[ixj];
            vals[ixj] = v;
          }
        }
      }
      __syncthreads();
    }
  }
}

}  // namespace awml::kernels::score_sort

#endif  // AWML_CPP_PLUGINS_KERNELS_DECODE_SCORE_SORT_CUH_
