// The CUDA stream handle without including CUDA headers, so kernel launcher headers stay CUDA-free:
// cudaStream_t is `CUstream_st*`.
#ifndef AWML_CPP_COMMON_STREAM_HANDLE_H_
#define AWML_CPP_COMMON_STREAM_HANDLE_H_

struct CUstream_st;

namespace awml {

using StreamHandle = CUstream_st*;

}  // namespace awml

#endif  // AWML_CPP_COMMON_STREAM_HANDLE_H_
