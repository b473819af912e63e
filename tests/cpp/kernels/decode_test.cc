// CPU CenterPoint decode: maths accuracy, box layout, gates, modes and overflow.
#include "cpp/plugins/kernels/decode/decode.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "cpp/plugins/kernels/decode/head_math.h"
#include "tests/cpp/kernels/head_fixtures.h"

namespace awml::kernels {
namespace {

using testing::HeadHost;

TEST(HeadMath, ExpSigmoidAtan2AreWithinAFewUlpOfLibm) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-80.0f, 80.0f), v(-3.0f, 3.0f);
  for (int i = 0; i < 200000; ++i) {
    float const x = i % 2 ? u(rng) : v(rng);
    double const e = std::exp(static_cast<double>(x));
    ASSERT_NEAR(head_math::Exp(x), e, 3e-7 * e) << x;
    double const s = 1.0 / (1.0 + std::exp(-static_cast<double>(x)));
    ASSERT_NEAR(head_math::Sigmoid(x), s, 3e-7 * s + 1e-30) << x;
    float const y = v(rng), z = v(rng);
    ASSERT_NEAR(head_math::Atan2(y, z), std::atan2(static_cast<double>(y), static_cast<double>(z)), 5e-7)
        << y << " " << z;
  }
  EXPECT_EQ(head_math::Exp(0.0f), 1.0f);
  EXPECT_EQ(head_math::Exp(-200.0f), 0.0f);
  EXPECT_TRUE(std::isinf(head_math::Exp(100.0f)));
  EXPECT_TRUE(std::isnan(head_math::Exp(NAN)));
  EXPECT_EQ(head_math::Atan2(0.0f, 1.0f), 0.0f);
  EXPECT_NEAR(head_math::Atan2(0.0f, -1.0f), M_PI, 3e-7);
  EXPECT_NEAR(head_math::Atan2(-0.0f, -1.0f), -M_PI, 3e-7);
  EXPECT_NEAR(head_math::Atan2(1.0f, 0.0f), M_PI / 2, 3e-7);
  EXPECT_NEAR(head_math::Atan2(-2.0f, 0.0f), -M_PI / 2, 3e-7);
  EXPECT_NEAR(head_math::Atan2(-1.0f, -1.0f), -3 * M_PI / 4, 3e-7);
}

DecodeConfig SmallConfig() {
  DecodeConfig c;
  c.num_classes = 3;
  c.grid_x = 4;
  c.grid_y = 3;
  c.out_size_factor = 2;
  c.voxel_x = 0.5;
  c.voxel_y = 0.25;
  c.min_x = -2.0;
  c.min_y = -1.0;
  c.score_thresholds.fill(0.1f);
  c.max_candidates = 16;
  c.top_k = 16;
  return c;
}

struct Decoded {
  std::vector<float> boxes;
  std::vector<int32_t> counters;
};

Decoded Decode(DecodeConfig const& c, HeadHost const& h, bool with_vel = true) {
  Decoded d{std::vector<float>(static_cast<size_t>(c.top_k) * kBoxFields, -7.0f), {-7, -7}};
  EXPECT_TRUE(DecodeCpu(c, h.tensors(with_vel), {d.boxes.data(), d.counters.data()}).ok());
  return d;
}

HeadHost Quiet(DecodeConfig const& c) {
  HeadHost h(c.num_classes, c.grid_y, c.grid_x);
  for (float& v : h.heatmap) v = -10.0f;
  for (int i = 0; i < h.plane; ++i) h.rot[h.plane + i] = 1.0f;
  return h;
}

TEST(DecodeCpu, NoCandidates) {
  DecodeConfig const c = SmallConfig();
  Decoded const d = Decode(c, Quiet(c));
  EXPECT_EQ(d.counters, std::vector<int32_t>({0, 0}));
  EXPECT_EQ(d.boxes[0], -7.0f);
}

TEST(DecodeCpu, OneObjectBoxLayout) {
  DecodeConfig const c = SmallConfig();
  HeadHost h = Quiet(c);
  int const cell = 2 * 4 + 1;  // yi 2, xi 1
  h.heatmap[2 * h.plane + cell] = 1.0f;
  h.reg[cell] = 0.25f;
  h.reg[h.plane + cell] = 0.5f;
  h.height[cell] = 1.5f;
  h.dim[cell] = std::log(2.0f);
  h.dim[h.plane + cell] = std::log(4.0f);
  h.dim[2 * h.plane + cell] = 0.0f;
  h.rot[cell] = 1.0f;
  h.rot[h.plane + cell] = 0.0f;
  h.vel[cell] = 3.0f;
  h.vel[h.plane + cell] = -1.0f;
  Decoded const d = Decode(c, h);
  ASSERT_EQ(d.counters[kNumBoxes], 1);
  EXPECT_FLOAT_EQ(d.boxes[kBoxX], (1 + 0.25f) * 2 * 0.5f - 2.0f);
  EXPECT_FLOAT_EQ(d.boxes[kBoxY], (2 + 0.5f) * 2 * 0.25f - 1.0f);
  EXPECT_EQ(d.boxes[kBoxZ], 1.5f);
  EXPECT_NEAR(d.boxes[kBoxW], 2.0f, 1e-6);
  EXPECT_NEAR(d.boxes[kBoxL], 4.0f, 2e-6);
  EXPECT_EQ(d.boxes[kBoxH], 1.0f);
  EXPECT_NEAR(d.boxes[kBoxYaw], M_PI / 2, 3e-7);
  EXPECT_EQ(d.boxes[kBoxVx], 3.0f);
  EXPECT_EQ(d.boxes[kBoxVy], -1.0f);
  EXPECT_NEAR(d.boxes[kBoxScore], 1.0 / (1.0 + std::exp(-1.0)), 1e-7);
  EXPECT_EQ(d.boxes[kBoxLabel], 2.0f);
  Decoded const no_vel = Decode(c, h, false);
  EXPECT_EQ(no_vel.boxes[kBoxVx], 0.0f);
}

TEST(DecodeCpu, PerClassScoreThresholdsAreStrict) {
  DecodeConfig c = SmallConfig();
  c.score_thresholds[0] = 0.5f;
  HeadHost h = Quiet(c);
  h.heatmap[0] = 0.0f;  // sigmoid 0.5 exactly: not > 0.5
  h.heatmap[1] = 0.01f;
  h.heatmap[h.plane + 2] = 0.0f;  // class 1 threshold 0.1
  Decoded const d = Decode(c, h);
  ASSERT_EQ(d.counters[kNumBoxes], 2);
  EXPECT_EQ(d.boxes[kBoxLabel], 0.0f);  // cell 1, score 0.5025
  EXPECT_EQ(d.boxes[kBoxFields + kBoxLabel], 1.0f);
}

TEST(DecodeCpu, YawNormGate) {
  DecodeConfig c = SmallConfig();
  c.yaw_norm_thresholds[0] = 0.3f;
  HeadHost h = Quiet(c);
  h.heatmap[0] = 2.0f;
  h.rot[0] = 0.1f;
  h.rot[h.plane] = 0.2f;  // norm 0.22 < 0.3
  h.heatmap[h.plane + 1] = 2.0f;
  h.rot[1] = 0.1f;
  h.rot[h.plane + 1] = 0.2f;  // class 1 has no gate
  Decoded const d = Decode(c, h);
  ASSERT_EQ(d.counters[kNumBoxes], 1);
  EXPECT_EQ(d.boxes[kBoxLabel], 1.0f);
  c.yaw_norm_thresholds[0] = 1.5f;  // outside [0, 1): treated as 0
  EXPECT_EQ(Decode(c, h).counters[kNumBoxes], 2);
}

TEST(DecodeCpu, ArgmaxTakesFirstClassOnTies) {
  DecodeConfig const c = SmallConfig();
  HeadHost h = Quiet(c);
  h.heatmap[h.plane + 5] = 1.0f;
  h.heatmap[2 * h.plane + 5] = 1.0f;
  Decoded const d = Decode(c, h);
  ASSERT_EQ(d.counters[kNumBoxes], 1);
  EXPECT_EQ(d.boxes[kBoxLabel], 1.0f);
}

TEST(DecodeCpu, TopKKeepsEveryClassAndSortsByScore) {
  DecodeConfig c = SmallConfig();
  c.mode = DecodeMode::kTopK;
  c.top_k = 3;
  HeadHost h = Quiet(c);
  h.heatmap[0 * h.plane + 5] = 1.0f;
  h.heatmap[1 * h.plane + 5] = 2.0f;
  h.heatmap[2 * h.plane + 7] = 3.0f;
  h.heatmap[0 * h.plane + 1] = 0.5f;
  Decoded const d = Decode(c, h);
  ASSERT_EQ(d.counters[kNumBoxes], 3);
  EXPECT_EQ(d.boxes[kBoxLabel], 2.0f);
  EXPECT_EQ(d.boxes[kBoxFields + kBoxLabel], 1.0f);
  EXPECT_EQ(d.boxes[2 * kBoxFields + kBoxLabel], 0.0f);
  EXPECT_NEAR(d.boxes[2 * kBoxFields + kBoxScore], 1.0 / (1.0 + std::exp(-1.0)), 1e-7);
}

TEST(DecodeCpu, EqualScoresKeepFlatOrder) {
  DecodeConfig const c = SmallConfig();
  HeadHost h = Quiet(c);
  h.heatmap[9] = 1.0f;
  h.heatmap[3] = 1.0f;
  Decoded const d = Decode(c, h);
  ASSERT_EQ(d.counters[kNumBoxes], 2);
  EXPECT_LT(d.boxes[kBoxY], d.boxes[kBoxFields + kBoxY]);  // cell 3 (row 0) before cell 9 (row 2)
}

TEST(DecodeCpu, CandidateOverflowIsCounted) {
  DecodeConfig c = SmallConfig();
  c.max_candidates = 5;
  c.top_k = 5;
  HeadHost h = Quiet(c);
  for (int i = 0; i < h.plane; ++i) h.heatmap[i] = static_cast<float>(i) * 0.1f;
  Decoded const d = Decode(c, h);
  EXPECT_EQ(d.counters[kNumBoxes], 5);
  EXPECT_EQ(d.counters[kCandidatesDropped], 7);
  EXPECT_EQ(d.boxes[kBoxScore], head_math::Sigmoid(0.4f));  // first five cells in flat order, sorted
}

TEST(DecodeCpu, CenterRangeIsInclusive) {
  DecodeConfig c = SmallConfig();
  c.use_center_range = true;
  c.center_range = {-2.0f, -1.0f, -1.0f, -1.0f, 10.0f, 1.0f};
  HeadHost h = Quiet(c);
  h.heatmap[0] = 1.0f;  // x = -2: on the lower edge, kept
  h.heatmap[1] = 1.0f;  // x = -1: on the upper edge, kept
  h.heatmap[2] = 1.0f;  // x = 0: outside
  h.height[0] = 2.0f;   // z outside
  EXPECT_EQ(Decode(c, h).counters[kNumBoxes], 1);
  h.height[0] = 1.0f;
  EXPECT_EQ(Decode(c, h).counters[kNumBoxes], 2);
}

TEST(DecodeCpu, RejectsBadConfig) {
  HeadHost h = Quiet(SmallConfig());
  std::vector<float> boxes(16 * kBoxFields);
  std::vector<int32_t> counters(2);
  DecodeConfig c = SmallConfig();
  c.num_classes = 17;
  EXPECT_FALSE(DecodeCpu(c, h.tensors(), {boxes.data(), counters.data()}).ok());
  c = SmallConfig();
  c.top_k = 17;
  EXPECT_FALSE(DecodeCpu(c, h.tensors(), {boxes.data(), counters.data()}).ok());
  c = SmallConfig();
  HeadTensors t = h.tensors();
  t.rot = nullptr;
  EXPECT_FALSE(DecodeCpu(c, t, {boxes.data(), counters.data()}).ok());
}

TEST(DecodeCpu, RandomHeadsAreSortedAndAboveThreshold) {
  std::mt19937 rng(11);
  DecodeConfig c;
  c.num_classes = 5;
  c.grid_x = 64;
  c.grid_y = 48;
  c.score_thresholds.fill(0.35f);
  c.yaw_norm_thresholds = {0.3f, 0.3f, 0.3f, 0.3f, 0.0f};
  HeadHost const h = testing::RandomHeads(&rng, 5, 48, 64, 40);
  Decoded const d = Decode(c, h);
  ASSERT_GT(d.counters[kNumBoxes], 10);
  for (int i = 0; i < d.counters[kNumBoxes]; ++i) {
    float const* b = &d.boxes[i * kBoxFields];
    EXPECT_GT(b[kBoxScore], 0.35f);
    if (i > 0) {
      EXPECT_LE(b[kBoxScore], b[kBoxScore - kBoxFields]);
    }
  }
}

}  // namespace
}  // namespace awml::kernels
