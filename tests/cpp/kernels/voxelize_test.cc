// CPU voxeliser: named edge cases and invariants on random clouds.
#include "cpp/plugins/kernels/voxelize/voxelize.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "tests/cpp/kernels/cloud_fixtures.h"

namespace awml::kernels {
namespace {

using testing::VoxelHost;

VoxelizeConfig SmallConfig() {
  VoxelizeConfig c;
  c.grid = {0.0, 0.0, -1.0, 4.0, 4.0, 1.0, 1.0, 1.0, 2.0};  // 4 x 4 pillars
  c.max_points_per_pillar = 3;
  c.max_pillars = 5;
  return c;
}

struct VoxelRun {
  VoxelHost host;
  Status status;
};

VoxelRun Voxelize(VoxelizeConfig const& c, std::vector<float> const& cloud) {
  VoxelRun r{VoxelHost(c), OkStatus()};
  r.status = VoxelizeCpu(c, cloud.data(), static_cast<int64_t>(cloud.size()) / c.num_point_features, r.host.outputs());
  return r;
}

std::vector<float> Points(std::initializer_list<std::array<float, 4>> pts) {
  std::vector<float> v;
  for (auto const& p : pts) v.insert(v.end(), p.begin(), p.end());
  return v;
}

TEST(VoxelizeCpu, EmptyCloud) {
  VoxelizeConfig c = SmallConfig();
  VoxelHost h(c);
  ASSERT_TRUE(VoxelizeCpu(c, nullptr, 0, h.outputs()).ok());
  EXPECT_EQ(h.counters, std::vector<int32_t>({0, 0, 0, 0, 0}));
  EXPECT_EQ(h.num[0], -7);  // rows >= pillar_count untouched
}

TEST(VoxelizeCpu, AllPointsOutOfRange) {
  VoxelRun r = Voxelize(
      SmallConfig(),
      Points({{-0.01f, 1, 0, 0}, {4.0f, 1, 0, 0}, {1, 1, 1.0f, 0}, {1, 1, -1.5f, 0}, {1, -3, 0, 0}, {1, 4.5f, 0, 0}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.host.counters[kPillarCount], 0);
  EXPECT_EQ(r.host.counters[kPointsOutOfRange], 6);
}

TEST(VoxelizeCpu, OnePillar) {
  VoxelRun r = Voxelize(SmallConfig(), Points({{2.5f, 1.25f, 0.5f, 7}, {2.75f, 1.5f, -0.5f, 8}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.host.counters, std::vector<int32_t>({1, 0, 0, 0, 0}));
  EXPECT_EQ(r.host.num[0], 2);
  EXPECT_EQ(std::vector<int32_t>(r.host.coords.begin(), r.host.coords.begin() + 3), std::vector<int32_t>({0, 1, 2}));
  std::vector<float> const row(r.host.points.begin(), r.host.points.begin() + 12);
  EXPECT_EQ(row, std::vector<float>({2.5f, 1.25f, 0.5f, 7, 2.75f, 1.5f, -0.5f, 8, 0, 0, 0, 0}));
}

TEST(VoxelizeCpu, ExactlyMaxPointsPerPillar) {
  VoxelRun r = Voxelize(SmallConfig(), Points({{0.1f, 0.1f, 0, 1}, {0.2f, 0.2f, 0, 2}, {0.3f, 0.3f, 0, 3}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.host.num[0], 3);
  EXPECT_EQ(r.host.counters[kPointsDroppedPillarFull], 0);
}

TEST(VoxelizeCpu, MaxPointsPerPillarPlusOneKeepsTheFirst) {
  VoxelRun r =
      Voxelize(SmallConfig(), Points({{0.1f, 0.1f, 0, 1}, {0.2f, 0.2f, 0, 2}, {0.3f, 0.3f, 0, 3}, {0.4f, 0.4f, 0, 4}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.host.num[0], 3);
  EXPECT_EQ(r.host.counters[kPointsDroppedPillarFull], 1);
  EXPECT_EQ(r.host.points[3], 1.0f);
  EXPECT_EQ(r.host.points[11], 3.0f);
}

TEST(VoxelizeCpu, ExactlyMaxPillars) {
  VoxelRun r = Voxelize(
      SmallConfig(),
      Points({{0.5f, 0.5f, 0, 0}, {1.5f, 0.5f, 0, 0}, {2.5f, 0.5f, 0, 0}, {3.5f, 0.5f, 0, 0}, {0.5f, 1.5f, 0, 0}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.host.counters, std::vector<int32_t>({5, 0, 0, 0, 0}));
}

TEST(VoxelizeCpu, MaxPillarsPlusOneDropsTheNewCellOnly) {
  VoxelRun r = Voxelize(SmallConfig(), Points({{0.5f, 0.5f, 0, 0},
                                               {1.5f, 0.5f, 0, 0},
                                               {2.5f, 0.5f, 0, 0},
                                               {3.5f, 0.5f, 0, 0},
                                               {0.5f, 1.5f, 0, 0},
                                               {1.5f, 1.5f, 0, 0},
                                               {1.6f, 1.6f, 0, 0},
                                               {0.6f, 0.6f, 0, 0}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.host.counters[kPillarCount], 5);
  EXPECT_EQ(r.host.counters[kPillarsDropped], 1);
  EXPECT_EQ(r.host.counters[kPointsDroppedNoPillar], 2);
  EXPECT_EQ(r.host.num[0], 2);  // a later point of an existing pillar is still kept
}

TEST(VoxelizeCpu, NanAndInfAreDropped) {
  float const nan = std::nanf("");
  VoxelRun r = Voxelize(SmallConfig(), Points({{nan, 1, 0, 0},
                                               {1, nan, 0, 0},
                                               {1, 1, nan, 0},
                                               {INFINITY, 1, 0, 0},
                                               {-INFINITY, 1, 0, 0},
                                               {1, 1, INFINITY, 0},
                                               {1.5f, 1.5f, 0, nan}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.host.counters[kPointsOutOfRange], 6);
  EXPECT_EQ(r.host.counters[kPillarCount], 1);  // a NaN in a non-coordinate feature is carried, not tested
  EXPECT_TRUE(std::isnan(r.host.points[3]));
}

TEST(VoxelizeCpu, FarEdgeIsClampedAndMaxIsExcluded) {
  VoxelizeConfig c;  // Autoware: 76.799995 passes < 76.8 but rounds to index 480
  float const below = std::nextafter(76.8f, 0.0f);
  VoxelRun r = Voxelize(c, Points({{below, below, 0, 0}, {76.8f, 0, 0, 0}, {-76.8f, -76.8f, -4.0f, 0}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.host.counters[kPillarCount], 2);
  EXPECT_EQ(r.host.counters[kPointsOutOfRange], 1);
  EXPECT_EQ(r.host.coords[1], 479);
  EXPECT_EQ(r.host.coords[2], 479);
  EXPECT_EQ(r.host.coords[4], 0);
  EXPECT_EQ(r.host.coords[5], 0);
}

TEST(VoxelizeCpu, PillarsNumberedByFirstAppearance) {
  VoxelRun r = Voxelize(SmallConfig(), Points({{3.5f, 3.5f, 0, 1}, {0.5f, 0.5f, 0, 2}, {3.6f, 3.6f, 0, 3}}));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.host.coords[1], 3);
  EXPECT_EQ(r.host.coords[4], 0);
  EXPECT_EQ(r.host.num[0], 2);
  EXPECT_EQ(r.host.points[4 * 1 + 3], 3.0f);  // second slot of pillar 0 is the third point
}

TEST(VoxelizeCpu, RejectsBadConfig) {
  VoxelizeConfig c = SmallConfig();
  c.grid.voxel_z = 0.5;  // 4 z cells
  VoxelHost h(SmallConfig());
  EXPECT_EQ(VoxelizeCpu(c, nullptr, 0, h.outputs()).code(), StatusCode::kInvalidArgument);
  c = SmallConfig();
  c.num_point_features = 2;
  EXPECT_EQ(VoxelizeCpu(c, nullptr, 0, h.outputs()).code(), StatusCode::kInvalidArgument);
  c = SmallConfig();
  c.grid.voxel_x = -1.0;
  EXPECT_EQ(VoxelizeCpu(c, nullptr, 0, h.outputs()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VoxelizeCpu(SmallConfig(), nullptr, 3, h.outputs()).code(), StatusCode::kInvalidArgument);
}

TEST(VoxelizeCpu, AwmlGridIs1020) {
  PillarGrid g{-122.4, -122.4, -3.0, 122.4, 122.4, 5.0, 0.24, 0.24, 8.0};
  PillarGridF f{};
  ASSERT_TRUE(ResolvePillarGrid(g, &f).ok());
  EXPECT_EQ(f.nx, 1020);
  EXPECT_EQ(f.ny, 1020);
}

// Invariants against an independent brute-force model on random clouds.
TEST(VoxelizeCpu, RandomCloudsMatchBruteForce) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    VoxelizeConfig c;
    c.grid = {-8.0, -8.0, -2.0, 8.0, 8.0, 4.0, 0.5, 0.5, 6.0};
    c.num_point_features = 4 + trial % 2;
    c.max_points_per_pillar = 1 + trial % 9;
    c.max_pillars = 50 + 40 * trial;
    int64_t const n = 200 * trial;
    std::vector<float> const cloud = testing::RandomCloud(&rng, n, c.num_point_features, c.grid);
    VoxelRun r = Voxelize(c, cloud);
    ASSERT_TRUE(r.status.ok());
    // Brute force: ordered list of cells by first appearance, points per cell in order.
    std::map<std::pair<int, int>, std::vector<int64_t>> by_cell;
    std::vector<std::pair<int, int>> order;
    int64_t oor = 0;
    for (int64_t i = 0; i < n; ++i) {
      float const* p = &cloud[i * c.num_point_features];
      if (!(p[0] >= -8.0f && p[0] < 8.0f && p[1] >= -8.0f && p[1] < 8.0f && p[2] >= -2.0f && p[2] < 4.0f)) {
        ++oor;
        continue;
      }
      std::pair<int, int> const key{std::min(31, static_cast<int>(std::floor((p[1] + 8.0f) / 0.5f))),
                                    std::min(31, static_cast<int>(std::floor((p[0] + 8.0f) / 0.5f)))};
      if (by_cell[key].empty()) order.push_back(key);
      by_cell[key].push_back(i);
    }
    int const kept = std::min<int>(order.size(), c.max_pillars);
    ASSERT_EQ(r.host.counters[kPillarCount], kept);
    ASSERT_EQ(r.host.counters[kPillarsDropped], static_cast<int>(order.size()) - kept);
    ASSERT_EQ(r.host.counters[kPointsOutOfRange], oor);
    for (int pid = 0; pid < kept; ++pid) {
      ASSERT_EQ(r.host.coords[3 * pid + 1], order[pid].first);
      ASSERT_EQ(r.host.coords[3 * pid + 2], order[pid].second);
      auto const& idx = by_cell[order[pid]];
      int const m = std::min<int>(idx.size(), c.max_points_per_pillar);
      ASSERT_EQ(r.host.num[pid], m);
      for (int k = 0; k < c.max_points_per_pillar; ++k) {
        for (int d = 0; d < c.num_point_features; ++d) {
          float const got = r.host.points[(pid * c.max_points_per_pillar + k) * c.num_point_features + d];
          float const want = k < m ? cloud[idx[k] * c.num_point_features + d] : 0.0f;
          ASSERT_EQ(got, want) << "trial " << trial << " pillar " << pid << " slot " << k;
        }
      }
    }
  }
}

}  // namespace
}  // namespace awml::kernels
