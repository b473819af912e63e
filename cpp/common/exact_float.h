// float32 add / sub / mul / div with explicit round-to-nearest on the GPU, so nvcc cannot contract a
// multiply-add into an FMA: code written with these gives the same bits on the CPU and the GPU.
#ifndef AWML_CPP_COMMON_EXACT_FLOAT_H_
#define AWML_CPP_COMMON_EXACT_FLOAT_H_

#include "cpp/common/host_device.h"

namespace awml::exact {

AWML_HOST_DEVICE float Add(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}

AWML_HOST_DEVICE float Sub(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fsub_rn(a, b);
#else
  return a - b;
#endif
}

AWML_HOST_DEVICE float Mul(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}

AWML_HOST_DEVICE float Div(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}

}  // namespace awml::exact

#endif  // AWML_CPP_COMMON_EXACT_FLOAT_H_
