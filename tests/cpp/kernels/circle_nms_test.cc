// CPU circle NMS: named cases and greedy invariants on random boxes.
#include "cpp/plugins/kernels/circle_nms/circle_nms.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace awml::kernels {
namespace {

std::vector<float> Box(float x, float y, float score, float label) {
  std::vector<float> b(kBoxFields, 0.0f);
  b[kBoxX] = x;
  b[kBoxY] = y;
  b[kBoxScore] = score;
  b[kBoxLabel] = label;
  return b;
}

std::vector<float> Boxes(std::initializer_list<std::vector<float>> list) {
  std::vector<float> v;
  for (auto const& b : list) v.insert(v.end(), b.begin(), b.end());
  return v;
}

std::vector<float> Nms(CircleNmsConfig const& c, std::vector<float> const& boxes, int32_t* kept) {
  std::vector<float> out(static_cast<size_t>(c.max_output) * kBoxFields, -7.0f);
  int32_t const n = static_cast<int32_t>(boxes.size() / kBoxFields);
  EXPECT_TRUE(CircleNmsCpu(c, boxes.data(), &n, out.data(), kept).ok());
  return out;
}

TEST(CircleNmsCpu, NoBoxes) {
  int32_t kept = -1;
  CircleNmsConfig c;
  std::vector<float> none(kBoxFields), out(kBoxFields);
  int32_t const n = 0;
  ASSERT_TRUE(CircleNmsCpu(c, none.data(), &n, out.data(), &kept).ok());
  EXPECT_EQ(kept, 0);
}

TEST(CircleNmsCpu, SortsByScoreAndSuppressesNeighbours) {
  int32_t kept = 0;
  std::vector<float> const out = Nms(
      CircleNmsConfig(), Boxes({Box(0.0f, 0.0f, 0.5f, 0), Box(0.3f, 0.0f, 0.9f, 1), Box(5.0f, 5.0f, 0.7f, 2)}), &kept);
  ASSERT_EQ(kept, 2);
  EXPECT_EQ(out[kBoxScore], 0.9f);
  EXPECT_EQ(out[kBoxFields + kBoxScore], 0.7f);
}

TEST(CircleNmsCpu, ExactRadiusIsExclusiveOrInclusive) {
  std::vector<float> const boxes = Boxes({Box(0.0f, 0.0f, 0.9f, 0), Box(0.5f, 0.0f, 0.8f, 0)});
  int32_t kept = 0;
  CircleNmsConfig c;  // Autoware: d2 < 0.25
  Nms(c, boxes, &kept);
  EXPECT_EQ(kept, 2);
  c.inclusive = true;  // mmdet3d: d2 <= thresh
  Nms(c, boxes, &kept);
  EXPECT_EQ(kept, 1);
}

TEST(CircleNmsCpu, PerClassOnlySuppressesSameLabel) {
  std::vector<float> const boxes = Boxes({Box(0, 0, 0.9f, 0), Box(0.1f, 0, 0.8f, 1), Box(0.2f, 0, 0.7f, 0)});
  CircleNmsConfig c;
  c.per_class = true;
  int32_t kept = 0;
  std::vector<float> const out = Nms(c, boxes, &kept);
  ASSERT_EQ(kept, 2);
  EXPECT_EQ(out[kBoxFields + kBoxLabel], 1.0f);
}

TEST(CircleNmsCpu, SuppressedBoxDoesNotSuppress) {
  // b suppressed by a; c is near b but not a, so c survives (greedy, not transitive).
  std::vector<float> const boxes = Boxes({Box(0, 0, 0.9f, 0), Box(0.4f, 0, 0.8f, 0), Box(0.8f, 0, 0.7f, 0)});
  int32_t kept = 0;
  Nms(CircleNmsConfig(), boxes, &kept);
  EXPECT_EQ(kept, 2);
}

TEST(CircleNmsCpu, InputSortedTakesTheGivenOrder) {
  std::vector<float> const boxes = Boxes({Box(0.0f, 0.0f, 0.5f, 0), Box(0.3f, 0.0f, 0.9f, 1)});
  CircleNmsConfig c;
  c.input_sorted = true;  // the caller promises rank order: the first box wins although its score is lower
  int32_t kept = 0;
  std::vector<float> const out = Nms(c, boxes, &kept);
  ASSERT_EQ(kept, 1);
  EXPECT_EQ(out[kBoxScore], 0.5f);
}

TEST(CircleNmsCpu, MaxOutputAndCountClamp) {
  CircleNmsConfig c;
  c.max_output = 2;
  c.max_boxes = 3;
  std::vector<float> const boxes =
      Boxes({Box(0, 0, 0.1f, 0), Box(10, 0, 0.2f, 0), Box(20, 0, 0.3f, 0), Box(30, 0, 0.4f, 0)});
  std::vector<float> out(2 * kBoxFields);
  int32_t const n = 1000;  // clamped to max_boxes
  int32_t kept = 0;
  ASSERT_TRUE(CircleNmsCpu(c, boxes.data(), &n, out.data(), &kept).ok());
  EXPECT_EQ(kept, 2);
  EXPECT_EQ(out[kBoxScore], 0.3f);
}

TEST(CircleNmsCpu, RejectsBadConfig) {
  CircleNmsConfig c;
  c.max_boxes = kMaxCandidates + 1;
  std::vector<float> b(kBoxFields);
  int32_t n = 0, kept = 0;
  EXPECT_FALSE(CircleNmsCpu(c, b.data(), &n, b.data(), &kept).ok());
  c = CircleNmsConfig();
  c.squared_radius = -1.0f;
  EXPECT_FALSE(CircleNmsCpu(c, b.data(), &n, b.data(), &kept).ok());
}

TEST(CircleNmsCpu, RandomBoxesSatisfyGreedyInvariants) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> pos(0.0f, 6.0f), sc(0.0f, 1.0f);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<float> boxes;
    int const n = 50 + trial * 10;
    for (int i = 0; i < n; ++i) {
      std::vector<float> const b = Box(pos(rng), pos(rng), sc(rng), static_cast<float>(i % 3));
      boxes.insert(boxes.end(), b.begin(), b.end());
    }
    CircleNmsConfig c;
    c.squared_radius = 0.5f;
    int32_t kept = 0;
    std::vector<float> const out = Nms(c, boxes, &kept);
    ASSERT_GT(kept, 0);
    for (int i = 0; i < kept; ++i) {
      for (int j = i + 1; j < kept; ++j) {
        float const dx = out[i * kBoxFields] - out[j * kBoxFields],
                    dy = out[i * kBoxFields + 1] - out[j * kBoxFields + 1];
        ASSERT_GE(dx * dx + dy * dy, 0.5f);
      }
      if (i > 0) {
        ASSERT_GE(out[(i - 1) * kBoxFields + kBoxScore], out[i * kBoxFields + kBoxScore]);
      }
    }
    // Every input box is kept or lies within the radius of a kept box of at least its score.
    for (int q = 0; q < n; ++q) {
      bool covered = false;
      for (int i = 0; i < kept && !covered; ++i) {
        float const dx = out[i * kBoxFields] - boxes[q * kBoxFields],
                    dy = out[i * kBoxFields + 1] - boxes[q * kBoxFields + 1];
        covered = dx * dx + dy * dy < 0.5f && out[i * kBoxFields + kBoxScore] >= boxes[q * kBoxFields + kBoxScore];
      }
      ASSERT_TRUE(covered) << "box " << q;
    }
  }
}

}  // namespace
}  // namespace awml::kernels
