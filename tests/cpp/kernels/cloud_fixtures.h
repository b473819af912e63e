// Test inputs for the pillar kernels: random clouds and host-side output holders.
#ifndef AWML_TESTS_CPP_KERNELS_CLOUD_FIXTURES_H_
#define AWML_TESTS_CPP_KERNELS_CLOUD_FIXTURES_H_

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "cpp/plugins/kernels/voxelize/voxelize.h"

namespace awml::kernels::testing {

// Host buffers sized for one VoxelizeConfig, poisoned so unwritten rows show up.
struct VoxelHost {
  explicit VoxelHost(VoxelizeConfig const& c)
      : points(static_cast<size_t>(c.max_pillars) * c.max_points_per_pillar * c.num_point_features, -7.0f),
        num(c.max_pillars, -7),
        coords(static_cast<size_t>(c.max_pillars) * 3, -7),
        counters(kNumVoxelizeCounters, -7) {}
  VoxelizeOutputs outputs() { return {points.data(), num.data(), coords.data(), counters.data()}; }
  std::vector<float> points;
  std::vector<int32_t> num;
  std::vector<int32_t> coords;
  std::vector<int32_t> counters;
};

// A lidar-like mix: clustered objects (dense pillars), uniform points, some out of range, a few NaN/Inf,
// a few exactly on the range edges. `n` points of `f` features.
inline std::vector<float> RandomCloud(std::mt19937* rng, int64_t n, int f, PillarGrid const& g) {
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  std::vector<float> cloud(static_cast<size_t>(n) * f);
  float const span_x = static_cast<float>(g.max_x - g.min_x), span_y = static_cast<float>(g.max_y - g.min_y);
  float const span_z = static_cast<float>(g.max_z - g.min_z);
  std::vector<float> centers;
  for (int i = 0; i < 64; ++i) {
    centers.push_back(static_cast<float>(g.min_x) + span_x * u01(*rng));
    centers.push_back(static_cast<float>(g.min_y) + span_y * u01(*rng));
  }
  std::normal_distribution<float> blob(0.0f, 0.6f);
  for (int64_t i = 0; i < n; ++i) {
    float* p = cloud.data() + i * f;
    float const kind = u01(*rng);
    if (kind < 0.55f) {  // dense objects
      int const c = static_cast<int>(u01(*rng) * 63.99f);
      p[0] = centers[2 * c] + blob(*rng);
      p[1] = centers[2 * c + 1] + blob(*rng);
      p[2] = static_cast<float>(g.min_z) + span_z * u01(*rng);
    } else if (kind < 0.97f) {  // uniform, 10 % beyond the range
      p[0] = static_cast<float>(g.min_x) - 0.05f * span_x + 1.1f * span_x * u01(*rng);
      p[1] = static_cast<float>(g.min_y) - 0.05f * span_y + 1.1f * span_y * u01(*rng);
      p[2] = static_cast<float>(g.min_z) - 0.05f * span_z + 1.1f * span_z * u01(*rng);
    } else if (kind < 0.985f) {  // edges
      p[0] = u01(*rng) < 0.5f ? static_cast<float>(g.min_x) : std::nextafter(static_cast<float>(g.max_x), 0.0f);
      p[1] = u01(*rng) < 0.5f ? static_cast<float>(g.max_y) : std::nextafter(static_cast<float>(g.max_y), 0.0f);
      p[2] = static_cast<float>(g.min_z);
    } else {  // non-finite
      float const bad[3] = {std::nanf(""), INFINITY, -INFINITY};
      p[0] = bad[static_cast<int>(u01(*rng) * 2.99f)];
      p[1] = 0.0f;
      p[2] = 0.0f;
    }
    for (int d = 3; d < f; ++d) p[d] = u01(*rng);
  }
  return cloud;
}

}  // namespace awml::kernels::testing

#endif  // AWML_TESTS_CPP_KERNELS_CLOUD_FIXTURES_H_
