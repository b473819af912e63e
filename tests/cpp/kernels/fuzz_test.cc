// Randomised robustness test of the CPU kernels on random and malformed inputs (run under --config=asan).
// AWML_FUZZ_SECONDS sets the duration (default 3 s); AWML_FUZZ_SEED the seed (default: time-based, printed).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <vector>

#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/decode/decode.h"
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"
#include "cpp/plugins/kernels/scatter/scatter.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"

namespace awml::kernels {
namespace {

float Weird(std::mt19937* rng) {
  float const pool[] = {std::numeric_limits<float>::quiet_NaN(),
                        INFINITY,
                        -INFINITY,
                        0.0f,
                        -0.0f,
                        std::numeric_limits<float>::denorm_min(),
                        std::numeric_limits<float>::max(),
                        -std::numeric_limits<float>::max(),
                        1e-30f,
                        -1e30f};
  return pool[(*rng)() % 10];
}

double Coord(std::mt19937* rng) {
  std::uniform_real_distribution<double> u(-200.0, 200.0);
  int const k = (*rng)() % 20;
  if (k == 0) return std::numeric_limits<double>::quiet_NaN();
  if (k == 1) return 1e30;
  return u(*rng);
}

// One random (possibly invalid) voxelize -> features -> scatter run; fails the test on a broken invariant.
void FuzzPillars(std::mt19937* rng) {
  VoxelizeConfig c;
  double const lo_x = Coord(rng), lo_y = Coord(rng), lo_z = Coord(rng);
  std::uniform_real_distribution<double> span(0.01, 120.0), vox(0.005, 4.0);
  c.grid = {lo_x, lo_y, lo_z, lo_x + span(*rng), lo_y + span(*rng), lo_z + span(*rng), vox(*rng), vox(*rng), 0.0};
  c.grid.voxel_z = (*rng)() % 8 ? c.grid.max_z - c.grid.min_z : vox(*rng);
  c.num_point_features = 2 + static_cast<int>((*rng)() % 8);
  c.max_points_per_pillar = static_cast<int>((*rng)() % 40);
  c.max_pillars = static_cast<int>((*rng)() % 3000);
  PillarGridF g{};
  bool const config_ok = ValidateVoxelizeConfig(c, &g).ok();
  if (config_ok && static_cast<int64_t>(g.nx) * g.ny > 4'000'000) return;  // valid, but too big to fuzz fast
  int const f = c.num_point_features > 0 ? c.num_point_features : 1;
  int64_t const n = (*rng)() % 6000;
  std::vector<float> cloud(static_cast<size_t>(n) * f);
  std::uniform_real_distribution<float> u(-1.2f, 1.2f);
  for (size_t i = 0; i < cloud.size(); ++i) {
    int const d = static_cast<int>(i % f);
    double const lo = d == 0 ? c.grid.min_x : d == 1 ? c.grid.min_y : c.grid.min_z;
    double const hi = d == 0 ? c.grid.max_x : d == 1 ? c.grid.max_y : c.grid.max_z;
    cloud[i] = (*rng)() % 50 == 0 ? Weird(rng) : static_cast<float>(lo + (hi - lo) * (0.5 + u(*rng) / 2.0));
  }
  size_t const rows = c.max_pillars > 0 ? static_cast<size_t>(c.max_pillars) : 1;
  size_t const mp = c.max_points_per_pillar > 0 ? static_cast<size_t>(c.max_points_per_pillar) : 1;
  std::vector<float> pts(rows * mp * f);
  std::vector<int32_t> num(rows), coords(3 * rows), counters(kNumVoxelizeCounters);
  Status const s = VoxelizeCpu(c, cloud.data(), n, {pts.data(), num.data(), coords.data(), counters.data()});
  ASSERT_EQ(s.ok(), config_ok) << s.message();
  if (!s.ok()) {
    ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
    ASSERT_FALSE(s.message().empty());
    return;
  }
  int32_t const p = counters[kPillarCount];
  ASSERT_GE(p, 0);
  ASSERT_LE(p, c.max_pillars);
  int64_t kept = 0;
  for (int32_t q = 0; q < p; ++q) {
    ASSERT_GE(num[q], 1);
    ASSERT_LE(num[q], c.max_points_per_pillar);
    ASSERT_GE(coords[3 * q + 1], 0);
    ASSERT_LT(coords[3 * q + 1], g.ny);
    ASSERT_GE(coords[3 * q + 2], 0);
    ASSERT_LT(coords[3 * q + 2], g.nx);
    kept += num[q];
  }
  ASSERT_EQ(kept + counters[kPointsOutOfRange] + counters[kPointsDroppedPillarFull] + counters[kPointsDroppedNoPillar],
            n);
  PillarFeaturesConfig fc;
  fc.grid = c.grid;
  fc.num_point_features = f;
  fc.max_points_per_pillar = c.max_points_per_pillar;
  fc.max_pillars = c.max_pillars;
  fc.use_voxel_center_z = (*rng)() % 2;
  std::vector<float> feat(rows * mp * PillarFeatureCount(fc));
  int32_t const claimed = (*rng)() % 4 ? p : static_cast<int32_t>((*rng)() % 100000) - 50;  // lying counters
  ASSERT_TRUE(PillarFeaturesCpu(fc, pts.data(), num.data(), coords.data(), &claimed, feat.data()).ok() ||
              c.max_pillars < 1);
  if (static_cast<int64_t>(g.nx) * g.ny > 300'000) return;
  ScatterConfig sc;
  sc.num_channels = 1 + static_cast<int>((*rng)() % 8);
  sc.grid_x = g.nx;
  sc.grid_y = g.ny;
  sc.max_pillars = c.max_pillars;
  std::vector<float> pf(rows * sc.num_channels, 1.0f), canvas(static_cast<size_t>(sc.num_channels) * g.nx * g.ny);
  ASSERT_TRUE(ScatterCpu(sc, pf.data(), coords.data(), &claimed, canvas.data()).ok());
}

void FuzzPost(std::mt19937* rng) {
  DecodeConfig c;
  c.num_classes = 1 + static_cast<int>((*rng)() % 18);
  c.grid_x = 1 + static_cast<int>((*rng)() % 64);
  c.grid_y = 1 + static_cast<int>((*rng)() % 64);
  c.out_size_factor = static_cast<int>((*rng)() % 5);
  c.mode = (*rng)() % 2 ? DecodeMode::kTopK : DecodeMode::kArgmax;
  c.max_candidates = static_cast<int>((*rng)() % 5000);
  c.top_k = static_cast<int>((*rng)() % 5000);
  c.use_center_range = (*rng)() % 2;
  std::uniform_real_distribution<float> u(-4.0f, 4.0f);
  for (auto& v : c.score_thresholds) v = (*rng)() % 10 ? u(*rng) / 8.0f + 0.5f : Weird(rng);
  for (auto& v : c.yaw_norm_thresholds) v = (*rng)() % 10 ? u(*rng) : Weird(rng);
  for (auto& v : c.center_range) v = u(*rng) * 30.0f;
  size_t const plane = static_cast<size_t>(c.grid_x) * c.grid_y;
  auto tensor = [&](int ch) {
    std::vector<float> t(ch * plane);
    for (float& v : t) v = (*rng)() % 40 ? u(*rng) : Weird(rng);
    return t;
  };
  std::vector<float> const heat = tensor(c.num_classes), reg = tensor(2), hei = tensor(1), dim = tensor(3),
                           rot = tensor(2), vel = tensor(2);
  int const cap = c.top_k > 0 ? c.top_k : 1;
  std::vector<float> boxes(static_cast<size_t>(cap) * kBoxFields);
  std::vector<int32_t> counters(kNumDecodeCounters);
  Status const s =
      DecodeCpu(c, {heat.data(), reg.data(), hei.data(), dim.data(), rot.data(), (*rng)() % 2 ? vel.data() : nullptr},
                {boxes.data(), counters.data()});
  if (!s.ok()) {
    ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
    return;
  }
  ASSERT_GE(counters[kNumBoxes], 0);
  ASSERT_LE(counters[kNumBoxes], c.top_k);
  CircleNmsConfig nc;
  nc.max_boxes = cap;
  nc.squared_radius = (*rng)() % 10 ? std::abs(u(*rng)) : Weird(rng);
  nc.inclusive = (*rng)() % 2;
  nc.per_class = (*rng)() % 2;
  nc.input_sorted = (*rng)() % 2;
  nc.max_output = static_cast<int>((*rng)() % 100);
  std::vector<float> kept(static_cast<size_t>(nc.max_output > 0 ? nc.max_output : 1) * kBoxFields);
  int32_t n_kept = -1;
  int32_t const claimed = (*rng)() % 4 ? counters[kNumBoxes] : static_cast<int32_t>((*rng)() % 9000) - 100;
  Status const ns = CircleNmsCpu(nc, boxes.data(), &claimed, kept.data(), &n_kept);
  if (ns.ok()) {
    ASSERT_GE(n_kept, 0);
    ASSERT_LE(n_kept, nc.max_output);
  }
}

TEST(KernelsFuzz, RandomAndMalformedInputs) {
  char const* secs = std::getenv("AWML_FUZZ_SECONDS");
  char const* seed_env = std::getenv("AWML_FUZZ_SEED");
  double const seconds = secs ? std::atof(secs) : 3.0;
  uint32_t const seed = seed_env ? static_cast<uint32_t>(std::strtoul(seed_env, nullptr, 10))
                                 : static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::printf("fuzz seed %u, %.0f s\n", seed, seconds);
  std::mt19937 rng(seed);
  auto const end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int64_t iterations = 0;
  while (std::chrono::steady_clock::now() < end) {
    FuzzPillars(&rng);
    ASSERT_FALSE(HasFatalFailure()) << "seed " << seed << " iteration " << iterations;
    FuzzPost(&rng);
    ASSERT_FALSE(HasFatalFailure()) << "seed " << seed << " iteration " << iterations;
    ++iterations;
  }
  std::printf("fuzz iterations: %lld\n", static_cast<long long>(iterations));
  EXPECT_GT(iterations, 0);
}

}  // namespace
}  // namespace awml::kernels
