// AWML_HOST_DEVICE: a function compiled for both the CPU (g++) and the GPU (nvcc), always inlined.
#ifndef AWML_CPP_COMMON_HOST_DEVICE_H_
#define AWML_CPP_COMMON_HOST_DEVICE_H_

#if defined(__CUDACC__)
#define AWML_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define AWML_HOST_DEVICE inline
#endif

#endif  // AWML_CPP_COMMON_HOST_DEVICE_H_
