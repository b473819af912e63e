// CPU statistics of the benchmark inputs under Autoware CenterPoint's semantics (our own code, written from the
// behaviour of autoware_lidar_centerpoint at b8ce82e, no Autoware code): pillars and points kept after the
// 32-point cap of generateVoxels_random + generateBaseFeatures, candidates above the score threshold after
// generateBoxes3D_kernel's yaw-norm gate, and boxes kept by a greedy circle NMS over the score-sorted candidates.
// autoware_bench checks the GPU counts of Autoware's kernels against these; `--stats-only` prints them.
#ifndef AWML_TOOLS_BENCH_AUTOWARE_AUTOWARE_REF_H_
#define AWML_TOOLS_BENCH_AUTOWARE_AUTOWARE_REF_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace awml::bench::autoware_ref {

struct Grid {  // float fields as Autoware's CenterPointConfig holds them
  float min_x, min_y, min_z, max_x, max_y, max_z, vx, vy;
  int nx, ny, max_points;
};

struct CloudStats {
  int64_t pillars = 0, kept_points = 0;
};

// Points are x, y, z, w (16 bytes). Same float tests and cell index as the voxelisation kernel.
inline CloudStats Pillars(Grid const& g, float const* pts, int64_t n) {
  std::unordered_map<uint32_t, int> cells;
  for (int64_t i = 0; i < n; ++i) {
    float const x = pts[4 * i], y = pts[4 * i + 1], z = pts[4 * i + 2];
    if (x < g.min_x || x >= g.max_x || y < g.min_y || y >= g.max_y || z < g.min_z || z >= g.max_z) continue;
    int ix = static_cast<int>(std::floor((x - g.min_x) / g.vx));
    int iy = static_cast<int>(std::floor((y - g.min_y) / g.vy));
    ix = std::clamp(ix, 0, g.nx - 1);
    iy = std::clamp(iy, 0, g.ny - 1);
    ++cells[static_cast<uint32_t>((g.nx - 1 - ix) * g.ny + iy)];
  }
  CloudStats s;
  s.pillars = static_cast<int64_t>(cells.size());
  for (auto const& kv : cells) s.kept_points += std::min(kv.second, g.max_points);
  return s;
}

struct HeadSpec {
  int classes, h, w;
  float vx, vy, min_x, min_y, score_threshold, nms_distance;
  std::vector<float> yaw_norm_thresholds;
};

struct HeadStats {
  int64_t candidates = 0, kept = 0;
};

// `t` is [classes + 10, h, w]: heatmap, offset (2), z, dim (3), rot (sin, cos), vel (2); downsample factor 1.
inline HeadStats Boxes(HeadSpec const& s, float const* t) {
  size_t const plane = static_cast<size_t>(s.h) * s.w;
  struct Cand {
    float score, x, y;
  };
  std::vector<Cand> cand;
  for (int yi = 0; yi < s.h; ++yi) {
    for (int xi = 0; xi < s.w; ++xi) {
      size_t const idx = static_cast<size_t>(yi) * s.w + xi;
      int label = -1;
      float best = -1.0f;
      for (int c = 0; c < s.classes; ++c) {
        float const p = 1.0f / (1.0f + std::exp(-t[c * plane + idx]));
        if (p > best) best = p, label = c;
      }
      float const sn = t[(s.classes + 6) * plane + idx], cs = t[(s.classes + 7) * plane + idx];
      float const score = std::sqrt(sn * sn + cs * cs) >= s.yaw_norm_thresholds[label] ? best : 0.0f;
      if (score <= s.score_threshold) continue;
      float const x = s.vx * (xi + t[s.classes * plane + idx]) + s.min_x;
      float const y = s.vy * (yi + t[(s.classes + 1) * plane + idx]) + s.min_y;
      cand.push_back({score, x, y});
    }
  }
  std::stable_sort(cand.begin(), cand.end(), [](Cand const& a, Cand const& b) { return a.score > b.score; });
  float const thr = s.nms_distance * s.nms_distance;
  std::vector<Cand> kept;
  for (Cand const& c : cand) {
    bool suppressed = false;
    for (Cand const& k : kept) {
      float const dx = c.x - k.x, dy = c.y - k.y;
      if (dx * dx + dy * dy < thr) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push_back(c);
  }
  return {static_cast<int64_t>(cand.size()), static_cast<int64_t>(kept.size())};
}

// The host half of a bitmask circle NMS: row i of `mask` (col_blocks words of 16 used bits each) marks the
// later boxes within the distance of box i; greedy in order, a box is kept unless a kept box marked it.
inline int64_t SweepMask(uint64_t const* mask, int64_t n, int64_t col_blocks, int bits_per_word) {
  std::vector<uint64_t> removed(col_blocks, 0);
  int64_t kept = 0;
  for (int64_t i = 0; i < n; ++i) {
    int64_t const word = i / bits_per_word;
    if (removed[word] >> (i % bits_per_word) & 1u) continue;
    ++kept;
    for (int64_t j = word; j < col_blocks; ++j) removed[j] |= mask[i * col_blocks + j];
  }
  return kept;
}

}  // namespace awml::bench::autoware_ref

#endif  // AWML_TOOLS_BENCH_AUTOWARE_AUTOWARE_REF_H_
