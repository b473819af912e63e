// CPU reference for the CenterPoint decode.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "cpp/plugins/kernels/decode/decode.h"
#include "cpp/plugins/kernels/decode/head_math.h"

namespace awml::kernels {

Status ValidateDecodeConfig(DecodeConfig const& c) {
  if (c.num_classes < 1 || c.num_classes > kMaxClasses) {
    return InvalidArgumentError("decode | num_classes must be in 1.." + std::to_string(kMaxClasses) + ". Note: got " +
                                std::to_string(c.num_classes));
  }
  if (c.grid_x < 1 || c.grid_y < 1 || c.grid_x > 8192 || c.grid_y > 8192 ||
      static_cast<int64_t>(c.grid_x) * c.grid_y * c.num_classes > (int64_t{1} << 31) - 1) {
    return InvalidArgumentError(
        "decode | grid_x and grid_y must be in 1..8192 (classes * H * W < 2^31). "
        "Note: got " +
        std::to_string(c.grid_x) + " x " + std::to_string(c.grid_y));
  }
  if (c.out_size_factor < 1 || !(c.voxel_x > 0.0) || !(c.voxel_y > 0.0)) {
    return InvalidArgumentError("decode | out_size_factor >= 1 and positive voxel sizes are required");
  }
  if (c.mode != DecodeMode::kArgmax && c.mode != DecodeMode::kTopK) {
    return InvalidArgumentError("decode | unknown mode. Note: expected kArgmax or kTopK");
  }
  if (c.max_candidates < 1 || c.max_candidates > kMaxCandidates) {
    return InvalidArgumentError("decode | max_candidates must be in 1.." + std::to_string(kMaxCandidates) +
                                ". Note: got " + std::to_string(c.max_candidates));
  }
  if (c.top_k < 1 || c.top_k > c.max_candidates) {
    return InvalidArgumentError("decode | top_k must be in 1..max_candidates (" + std::to_string(c.max_candidates) +
                                "). Note: got " + std::to_string(c.top_k));
  }
  return OkStatus();
}

namespace {

Status CheckPointers(HeadTensors const& h, DecodeOutputs const& out) {
  if (!h.heatmap || !h.reg || !h.height || !h.dim || !h.rot || !out.boxes || !out.counters) {
    return InvalidArgumentError(
        "decode | a required pointer is null (heatmap, reg, height, dim, rot, boxes, "
        "counters; only vel may be null)");
  }
  return OkStatus();
}

}  // namespace

Status DecodeCpu(DecodeConfig const& config, HeadTensors const& heads, DecodeOutputs const& out) {
  Status s = ValidateDecodeConfig(config);
  if (!s.ok()) return s;
  s = CheckPointers(heads, out);
  if (!s.ok()) return s;
  head_math::DecodeParams const p = head_math::MakeDecodeParams(config);
  int const plane = config.grid_x * config.grid_y;
  std::vector<float> boxes;
  std::vector<uint64_t> keys;
  int32_t dropped = 0;
  float box[kBoxFields];
  auto push = [&](uint32_t flat) {
    if (static_cast<int>(keys.size()) >= config.max_candidates) {
      ++dropped;
      return;
    }
    keys.push_back(head_math::ScoreKey(box[kBoxScore], flat));
    boxes.insert(boxes.end(), box, box + kBoxFields);
  };
  if (p.topk) {
    for (int c = 0; c < config.num_classes; ++c) {
      for (int cell = 0; cell < plane; ++cell) {
        float const score = head_math::Sigmoid(heads.heatmap[c * plane + cell]);
        if (head_math::DecodeBox(p, heads, cell, c, score, box)) push(static_cast<uint32_t>(c * plane + cell));
      }
    }
  } else {
    for (int cell = 0; cell < plane; ++cell) {
      float score = 0.0f;
      int const label = head_math::ArgmaxClass(p, heads.heatmap, cell, &score);
      if (head_math::DecodeBox(p, heads, cell, label, score, box)) push(static_cast<uint32_t>(cell));
    }
  }
  std::vector<std::pair<uint64_t, int>> order(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) order[i] = {keys[i], static_cast<int>(i)};
  std::sort(order.begin(), order.end());
  int const n = std::min<int>(static_cast<int>(order.size()), config.top_k);
  int written = 0;
  for (int r = 0; r < n; ++r) {
    float const* b = boxes.data() + static_cast<size_t>(order[r].second) * kBoxFields;
    if (!head_math::InCenterRange(p, b)) continue;
    std::copy_n(b, kBoxFields, out.boxes + static_cast<size_t>(written++) * kBoxFields);
  }
  out.counters[kNumBoxes] = written;
  out.counters[kCandidatesDropped] = dropped;
  return OkStatus();
}

}  // namespace awml::kernels
