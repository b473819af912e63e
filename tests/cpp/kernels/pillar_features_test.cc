// CPU pillar feature decoration: feature order, padding and count clamping.
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"

#include <gtest/gtest.h>

#include <vector>

namespace awml::kernels {
namespace {

PillarFeaturesConfig Config(int f, bool center_z) {
  PillarFeaturesConfig c;
  c.grid = {0.0, 0.0, -1.0, 4.0, 4.0, 1.0, 1.0, 1.0, 2.0};
  c.num_point_features = f;
  c.max_points_per_pillar = 3;
  c.max_pillars = 2;
  c.use_voxel_center_z = center_z;
  return c;
}

struct Inputs {
  std::vector<float> points;
  std::vector<int32_t> num{2, 1};
  std::vector<int32_t> coords{0, 1, 2, 0, 3, 0};  // pillar 0 at (y 1, x 2), pillar 1 at (y 3, x 0)
};

Inputs MakeInputs(int f) {
  Inputs in;
  in.points.assign(2 * 3 * f, 0.0f);
  float const p0[5] = {2.25f, 1.5f, 0.5f, 0.25f, 9.0f}, p1[5] = {2.75f, 1.0f, -0.5f, 0.75f, 8.0f};
  float const p2[5] = {0.5f, 3.5f, 0.0f, 1.0f, 7.0f};
  for (int d = 0; d < f; ++d) {
    in.points[0 * f + d] = p0[d];
    in.points[1 * f + d] = p1[d];
    in.points[3 * f + d] = p2[d];
  }
  return in;
}

std::vector<float> Decorate(PillarFeaturesConfig const& c, Inputs const& in, int32_t count) {
  std::vector<float> out(2 * 3 * PillarFeatureCount(c), -7.0f);
  EXPECT_TRUE(PillarFeaturesCpu(c, in.points.data(), in.num.data(), in.coords.data(), &count, out.data()).ok());
  return out;
}

TEST(PillarFeaturesCpu, NineFeaturesInAutowareOrder) {
  PillarFeaturesConfig const c = Config(4, false);
  ASSERT_EQ(PillarFeatureCount(c), 9);
  std::vector<float> const out = Decorate(c, MakeInputs(4), 2);
  // mean of pillar 0 = (2.5, 1.25, 0); centre = (2.5, 1.5).
  std::vector<float> const row0(out.begin(), out.begin() + 9);
  EXPECT_EQ(row0, std::vector<float>({2.25f, 1.5f, 0.5f, 0.25f, -0.25f, 0.25f, 0.5f, -0.25f, 0.0f}));
  std::vector<float> const row1(out.begin() + 9, out.begin() + 18);
  EXPECT_EQ(row1, std::vector<float>({2.75f, 1.0f, -0.5f, 0.75f, 0.25f, -0.25f, -0.5f, 0.25f, -0.5f}));
  std::vector<float> const pad(out.begin() + 18, out.begin() + 27);
  EXPECT_EQ(pad, std::vector<float>(9, 0.0f));
  std::vector<float> const p1(out.begin() + 27, out.begin() + 36);  // single point: cluster offsets are 0
  EXPECT_EQ(p1, std::vector<float>({0.5f, 3.5f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f}));
}

TEST(PillarFeaturesCpu, TenFeaturesAddZCentre) {
  PillarFeaturesConfig const c = Config(4, true);
  ASSERT_EQ(PillarFeatureCount(c), 10);
  std::vector<float> const out = Decorate(c, MakeInputs(4), 2);
  EXPECT_EQ(out[9], 0.5f);  // z centre is 0 for a [-1, 1) pillar
  EXPECT_EQ(out[19], -0.5f);
}

TEST(PillarFeaturesCpu, ElevenFeaturesKeepIntensityAndTime) {
  PillarFeaturesConfig const c = Config(5, true);
  ASSERT_EQ(PillarFeatureCount(c), 11);
  std::vector<float> const out = Decorate(c, MakeInputs(5), 2);
  std::vector<float> const row0(out.begin(), out.begin() + 11);
  EXPECT_EQ(row0, std::vector<float>({2.25f, 1.5f, 0.5f, 0.25f, 9.0f, -0.25f, 0.25f, 0.5f, -0.25f, 0.0f, 0.5f}));
}

TEST(PillarFeaturesCpu, CountIsClampedAndTailUntouched) {
  PillarFeaturesConfig const c = Config(4, false);
  std::vector<float> out = Decorate(c, MakeInputs(4), 1000);  // an unclamped counter never reads past max_pillars
  EXPECT_EQ(out[27], 0.5f);
  out = Decorate(c, MakeInputs(4), 1);
  EXPECT_EQ(out[27], -7.0f);
  out = Decorate(c, MakeInputs(4), -5);
  EXPECT_EQ(out[0], -7.0f);
}

TEST(PillarFeaturesCpu, RejectsNullAndBadConfig) {
  PillarFeaturesConfig c = Config(4, false);
  Inputs in = MakeInputs(4);
  int32_t count = 1;
  EXPECT_FALSE(PillarFeaturesCpu(c, in.points.data(), in.num.data(), in.coords.data(), &count, nullptr).ok());
  c.num_point_features = 9;
  std::vector<float> out(100);
  EXPECT_FALSE(PillarFeaturesCpu(c, in.points.data(), in.num.data(), in.coords.data(), &count, out.data()).ok());
}

}  // namespace
}  // namespace awml::kernels
