// Synthetic lidar-like clouds and CenterPoint head outputs for the kernel benchmark (fixed seeds).
#ifndef AWML_TOOLS_BENCH_LIDAR_SCENE_H_
#define AWML_TOOLS_BENCH_LIDAR_SCENE_H_

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace awml::bench {

// 60 % ground rings (64 beams, sensor 2 m high), 25 % object blobs, 13 % walls, 2 % uniform over +-1.2 range.
inline std::vector<float> LidarCloud(uint32_t seed, int64_t n, int f, float range) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  struct Blob {
    float x, y, s;
  };
  std::vector<Blob> blobs;
  for (int i = 0; i < 150; ++i) {
    float const r = 5.0f + 65.0f * u(rng) * range / 76.8f, a = 6.2832f * u(rng);
    blobs.push_back({r * std::cos(a), r * std::sin(a), 0.3f + 0.9f * u(rng)});
  }
  std::vector<float> cloud(static_cast<size_t>(n) * f);
  for (int64_t i = 0; i < n; ++i) {
    float* p = &cloud[i * f];
    float const k = u(rng);
    if (k < 0.60f) {
      float const elev = (-25.0f + 23.5f * std::floor(u(rng) * 64.0f) / 63.0f) * 0.0174533f;
      float const r = 2.0f / std::tan(-elev) * (1.0f + 0.003f * nd(rng)), a = 6.2832f * u(rng);
      p[0] = r * std::cos(a);
      p[1] = r * std::sin(a);
      p[2] = -2.0f + 0.05f * nd(rng);
    } else if (k < 0.85f) {
      Blob const& b = blobs[static_cast<size_t>(u(rng) * 149.99f)];
      p[0] = b.x + b.s * nd(rng);
      p[1] = b.y + b.s * nd(rng);
      p[2] = 2.0f * u(rng) - 1.8f;
    } else if (k < 0.98f) {
      int const w = static_cast<int>(u(rng) * 29.99f);
      std::mt19937 wr(seed * 31 + w);
      std::uniform_real_distribution<float> wu(0.0f, 1.0f);
      float const cx = (wu(wr) - 0.5f) * range, cy = (wu(wr) - 0.5f) * range, a = 6.2832f * wu(wr);
      float const len = 5.0f + 35.0f * wu(wr), t = (u(rng) - 0.5f) * len;
      p[0] = cx + t * std::cos(a);
      p[1] = cy + t * std::sin(a);
      p[2] = -2.0f + 5.0f * u(rng);
    } else {
      p[0] = (2.0f * u(rng) - 1.0f) * range * 1.2f;
      p[1] = (2.0f * u(rng) - 1.0f) * range * 1.2f;
      p[2] = -5.0f + 12.0f * u(rng);
    }
    for (int d = 3; d < f; ++d) p[d] = u(rng);
  }
  return cloud;
}

// Head outputs [C+2+1+3+2+2, H, W] concatenated in the order heatmap, reg, height, dim, rot, vel.
inline std::vector<float> Heads(uint32_t seed, int classes, int h, int w, int objects) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  size_t const plane = static_cast<size_t>(h) * w;
  std::vector<float> t((classes + 10) * plane);
  for (size_t i = 0; i < classes * plane; ++i) t[i] = -6.0f + nd(rng);
  for (size_t i = classes * plane; i < t.size(); ++i) t[i] = nd(rng) * 0.5f;
  float* rot = &t[(classes + 6) * plane];
  for (size_t i = 0; i < plane; ++i) {
    float const a = 6.2832f * u(rng), m = 0.5f + 0.7f * u(rng);
    rot[i] = m * std::sin(a);
    rot[plane + i] = m * std::cos(a);
  }
  for (int o = 0; o < objects; ++o) {
    int const c = static_cast<int>(u(rng) * (classes - 0.01f));
    int const y = 1 + static_cast<int>(u(rng) * (h - 2.01f)), x = 1 + static_cast<int>(u(rng) * (w - 2.01f));
    float const peak = 0.5f + 2.5f * u(rng);
    for (int dy = -1; dy <= 1; ++dy) {
      for (int dx = -1; dx <= 1; ++dx) {
        t[c * plane + (y + dy) * w + x + dx] = (dx || dy) ? peak - 0.5f - u(rng) : peak;
      }
    }
  }
  return t;
}

}  // namespace awml::bench

#endif  // AWML_TOOLS_BENCH_LIDAR_SCENE_H_
