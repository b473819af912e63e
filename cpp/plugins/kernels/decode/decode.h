// CenterPoint head decode (heatmap, reg, height, dim, rot, vel -> scored boxes), TensorRT-free launcher API.
//
// Per BEV cell (yi, xi) of the head grid [H, W] (and per class in kTopK mode):
//   score = sigmoid(heatmap[c]); kArgmax keeps one candidate per cell with the first maximal class (Autoware),
//   kTopK keeps every (class, cell) pair and the top_k best (mmdet3d CenterPointBBoxCoder).
//   x = ((xi + reg[0]) * out_size_factor) * voxel_x + min_x   (from the cell corner, no +0.5)
//   y = ((yi + reg[1]) * out_size_factor) * voxel_y + min_y,  z = height[0]
//   (w, l, h) = exp(dim[0]), exp(dim[1]), exp(dim[2])          (mmdet3d's dx, dy, dz)
//   yaw = atan2(rot[0] = sin, rot[1] = cos); vel = (vel[0], vel[1]) or 0 without a velocity head.
// A candidate survives when score > score_thresholds[label] and sqrt(sin^2 + cos^2) >= yaw_norm_thresholds[label].
// Candidates are sorted by score descending, ties by the flat index (class * H * W + cell in kTopK, cell in
// kArgmax), cut to top_k, and then, if enabled, filtered by centre inside center_range (inclusive): the order
// of mmdet3d's CenterPointBBoxCoder (top-k, score threshold, post_center_range). exp, sigmoid and atan2 are our own
// float32 routines (head_math.h), so the CPU and CUDA results are bit-identical; they are within a few ulp of libm /
// torch.
#ifndef AWML_CPP_PLUGINS_KERNELS_DECODE_DECODE_H_
#define AWML_CPP_PLUGINS_KERNELS_DECODE_DECODE_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "cpp/common/status.h"
#include "cpp/common/stream_handle.h"

namespace awml::kernels {

constexpr int kMaxClasses = 16;
// The largest candidate capacity of the CUDA path (each block holds every candidate key in shared memory to rank).
constexpr int kMaxCandidates = 4096;

// One box is kBoxFields floats: (x, y, z, dx, dy, dz, yaw, vx, vy, score, label), mmdet3d's naming and the same
// layout as python/awml_deploy/kernels.py BOX_FIELDS. dx is the extent along the box's heading (its local x axis,
// the length), dy across it (the width), dz the height; kBoxW, kBoxL and kBoxH below are the slots of dx, dy and dz
// (named after Autoware's w, l, h head channels, which hold the same values).
enum BoxField : int {
  kBoxX = 0,
  kBoxY,
  kBoxZ,
  kBoxW,
  kBoxL,
  kBoxH,
  kBoxYaw,
  kBoxVx,
  kBoxVy,
  kBoxScore,
  kBoxLabel,  // class index stored as a float
  kBoxFields,
};

enum class DecodeMode { kArgmax = 0, kTopK = 1 };

struct DecodeConfig {
  int num_classes = 5;
  int grid_x = 480;  // head W
  int grid_y = 480;  // head H
  int out_size_factor = 1;
  double voxel_x = 0.32, voxel_y = 0.32, min_x = -76.8, min_y = -76.8;
  std::array<float, kMaxClasses> score_thresholds{};     // strict: score > threshold
  std::array<float, kMaxClasses> yaw_norm_thresholds{};  // 0 disables the gate
  DecodeMode mode = DecodeMode::kArgmax;
  int max_candidates = 4096;  // candidates kept before sorting (<= kMaxCandidates); extra ones are counted
  int top_k = 4096;           // boxes written after sorting (mmdet3d max_num), <= max_candidates
  bool use_center_range = false;
  std::array<float, 6> center_range{};  // x_min, y_min, z_min, x_max, y_max, z_max
};

// Head outputs of one frame (batch 1), each [channels, H, W] float32. `vel` may be null.
struct HeadTensors {
  float const* heatmap = nullptr;  // [num_classes, H, W] logits
  float const* reg = nullptr;      // [2, H, W]
  float const* height = nullptr;   // [1, H, W]
  float const* dim = nullptr;      // [3, H, W] log sizes
  float const* rot = nullptr;      // [2, H, W] (sin, cos)
  float const* vel = nullptr;      // [2, H, W] or null
};

enum DecodeCounter : int {
  kNumBoxes = 0,           // boxes written, <= top_k
  kCandidatesDropped = 1,  // candidates beyond max_candidates (CPU keeps the first in flat order)
  kNumDecodeCounters = 2,
};

struct DecodeOutputs {
  float* boxes = nullptr;       // [top_k, kBoxFields]
  int32_t* counters = nullptr;  // [kNumDecodeCounters]
};

[[nodiscard]] Status ValidateDecodeConfig(DecodeConfig const& config);

[[nodiscard]] Status DecodeCpu(DecodeConfig const& config, HeadTensors const& heads, DecodeOutputs const& out);

[[nodiscard]] Status DecodeCudaWorkspaceBytes(DecodeConfig const& config, size_t* bytes);

// Device pointers; one cooperative launch (decode, grid barrier, sort), no host synchronisation, no allocation.
[[nodiscard]] Status DecodeCuda(DecodeConfig const& config, HeadTensors const& heads, DecodeOutputs const& out,
                                void* workspace, size_t workspace_bytes, StreamHandle stream);

}  // namespace awml::kernels

#endif  // AWML_CPP_PLUGINS_KERNELS_DECODE_DECODE_H_
