// float32 exp / sigmoid / atan2 and the per-cell decode, written once for the CPU and the GPU.
// Every operation rounds explicitly (cpp/common/exact_float.h: no FMA contraction), so both sides produce the
// same bits.
#ifndef AWML_CPP_PLUGINS_KERNELS_DECODE_HEAD_MATH_H_
#define AWML_CPP_PLUGINS_KERNELS_DECODE_HEAD_MATH_H_

#include <cmath>
#include <cstdint>
#include <cstring>

#include "cpp/common/exact_float.h"
#include "cpp/common/host_device.h"
#include "cpp/plugins/kernels/decode/decode.h"

namespace awml::kernels::head_math {

using exact::Add;
using exact::Div;
using exact::Mul;
using exact::Sub;

// exp(x): Cody-Waite reduction by ln 2 and a degree-7 Taylor polynomial on |r| <= ln2 / 2.
AWML_HOST_DEVICE float Exp(float x) {
  if (x != x) return x;
  if (x > 88.7228394f) return INFINITY;
  if (x < -103.972076f) return 0.0f;
  float const k = floorf(Add(Mul(x, 1.44269502f), 0.5f));
  float const r = Sub(Sub(x, Mul(k, 0.693145751953125f)), Mul(k, 1.42860677e-06f));
  float p = 1.98412698e-04f;  // 1/7!
  p = Add(Mul(p, r), 1.38888889e-03f);
  p = Add(Mul(p, r), 8.33333333e-03f);
  p = Add(Mul(p, r), 4.16666667e-02f);
  p = Add(Mul(p, r), 1.66666667e-01f);
  p = Add(Mul(p, r), 0.5f);
  p = Add(Mul(p, r), 1.0f);
  p = Add(Mul(p, r), 1.0f);
  return ldexpf(p, static_cast<int>(k));
}

AWML_HOST_DEVICE float Sigmoid(float x) { return Div(1.0f, Add(1.0f, Exp(-x))); }

// atan2(y, x): octant reduction, then atan(t) for |t| <= tan(pi/8) by its Taylor series to t^17.
AWML_HOST_DEVICE float Atan2(float y, float x) {
  if (x != x || y != y) return x + y;
  float const ax = fabsf(x), ay = fabsf(y);
  float const mx = ax > ay ? ax : ay, mn = ax > ay ? ay : ax;
  float r = 0.0f;
  if (mx > 0.0f) {
    float a = (mx == INFINITY) ? (mn == INFINITY ? 1.0f : 0.0f) : Div(mn, mx);
    float base = 0.0f;
    if (a > 0.414213562f) {
      a = Div(Sub(a, 1.0f), Add(a, 1.0f));
      base = 0.785398163f;
    }
    float const s = Mul(a, a);
    float p = 0.0588235294f;  // 1/17
    p = Add(Mul(p, s), -0.0666666667f);
    p = Add(Mul(p, s), 0.0769230769f);
    p = Add(Mul(p, s), -0.0909090909f);
    p = Add(Mul(p, s), 0.111111111f);
    p = Add(Mul(p, s), -0.142857143f);
    p = Add(Mul(p, s), 0.2f);
    p = Add(Mul(p, s), -0.333333333f);
    r = Add(base, Add(a, Mul(Mul(a, s), p)));
    if (ay > ax) r = Sub(1.57079633f, r);
  }
  if (x < 0.0f || (x == 0.0f && copysignf(1.0f, x) < 0.0f)) r = Sub(3.14159265f, r);
  return copysignf(1.0f, y) < 0.0f ? -r : r;
}

// Orderable, unique sort key: score descending, then flat index ascending.
AWML_HOST_DEVICE uint64_t ScoreKey(float score, uint32_t index) {
  uint32_t u;
#if defined(__CUDA_ARCH__)
  u = __float_as_uint(score);
#else
  std::memcpy(&u, &score, sizeof(u));
#endif
  uint32_t const ascending = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  return (static_cast<uint64_t>(~ascending) << 32) | index;
}

AWML_HOST_DEVICE uint32_t KeyIndex(uint64_t key) { return static_cast<uint32_t>(key & 0xffffffffu); }

// Float values of DecodeConfig computed once on the host.
struct DecodeParams {
  int num_classes, grid_x, grid_y;
  float out_size_factor, voxel_x, voxel_y, min_x, min_y;
  float score_thr[kMaxClasses];
  float yaw_thr[kMaxClasses];
  bool topk, use_center_range;
  float center_range[6];
};

inline DecodeParams MakeDecodeParams(DecodeConfig const& c) {
  DecodeParams p{};
  p.num_classes = c.num_classes;
  p.grid_x = c.grid_x;
  p.grid_y = c.grid_y;
  p.out_size_factor = static_cast<float>(c.out_size_factor);
  p.voxel_x = static_cast<float>(c.voxel_x);
  p.voxel_y = static_cast<float>(c.voxel_y);
  p.min_x = static_cast<float>(c.min_x);
  p.min_y = static_cast<float>(c.min_y);
  for (int i = 0; i < kMaxClasses; ++i) {
    p.score_thr[i] = c.score_thresholds[i];
    float const y = c.yaw_norm_thresholds[i];
    p.yaw_thr[i] = (y >= 0.0f && y < 1.0f) ? y : 0.0f;  // Autoware clamps thresholds outside [0, 1) to 0
  }
  p.topk = c.mode == DecodeMode::kTopK;
  p.use_center_range = c.use_center_range;
  for (int i = 0; i < 6; ++i) p.center_range[i] = c.center_range[i];
  return p;
}

// Decodes the box of cell `cell` with class `label` and score `score`; returns false when a gate rejects it.
AWML_HOST_DEVICE bool DecodeBox(DecodeParams const& p, HeadTensors const& h, int cell, int label, float score,
                                float* box) {
  if (!(score > p.score_thr[label])) return false;
  int const plane = p.grid_x * p.grid_y;
  float const sin_v = h.rot[cell], cos_v = h.rot[plane + cell];
  if (p.yaw_thr[label] > 0.0f && sqrtf(Add(Mul(sin_v, sin_v), Mul(cos_v, cos_v))) < p.yaw_thr[label]) return false;
  float const xi = static_cast<float>(cell % p.grid_x), yi = static_cast<float>(cell / p.grid_x);
  box[kBoxX] = Add(Mul(Mul(Add(xi, h.reg[cell]), p.out_size_factor), p.voxel_x), p.min_x);
  box[kBoxY] = Add(Mul(Mul(Add(yi, h.reg[plane + cell]), p.out_size_factor), p.voxel_y), p.min_y);
  box[kBoxZ] = h.height[cell];
  box[kBoxW] = Exp(h.dim[cell]);
  box[kBoxL] = Exp(h.dim[plane + cell]);
  box[kBoxH] = Exp(h.dim[2 * plane + cell]);
  box[kBoxYaw] = Atan2(sin_v, cos_v);
  box[kBoxVx] = h.vel ? h.vel[cell] : 0.0f;
  box[kBoxVy] = h.vel ? h.vel[plane + cell] : 0.0f;
  box[kBoxScore] = score;
  box[kBoxLabel] = static_cast<float>(label);
  return true;
}

// The centre filter, applied after sorting and top_k (mmdet3d's post_center_range); inclusive bounds.
AWML_HOST_DEVICE bool InCenterRange(DecodeParams const& p, float const* box) {
  if (!p.use_center_range) return true;
  for (int d = 0; d < 3; ++d) {
    if (!(box[d] >= p.center_range[d] && box[d] <= p.center_range[3 + d])) return false;
  }
  return true;
}

// kArgmax: the first class with the largest sigmoid.
AWML_HOST_DEVICE int ArgmaxClass(DecodeParams const& p, float const* heatmap, int cell, float* score) {
  int const plane = p.grid_x * p.grid_y;
  int best = 0;
  float best_score = Sigmoid(heatmap[cell]);
  for (int c = 1; c < p.num_classes; ++c) {
    float const s = Sigmoid(heatmap[c * plane + cell]);
    if (s > best_score) {
      best_score = s;
      best = c;
    }
  }
  *score = best_score;
  return best;
}

}  // namespace awml::kernels::head_math

#endif  // AWML_CPP_PLUGINS_KERNELS_DECODE_HEAD_MATH_H_
