// tools/bench/autoware/autoware_ref.h: the CPU counts autoware_bench checks Autoware's GPU output against, on
// hand-made inputs with hand-counted answers.
#include "tools/bench/autoware/autoware_ref.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace awml::bench::autoware_ref {
namespace {

TEST(AutowareRef, PillarsFollowTheRangeTestsAndThe32PointCap) {
  // 4 x 4 cells of 0.5 m over [-1, 1)^3, at most 2 points per pillar.
  Grid const g{-1.0f, -1.0f, -1.0f, 1.0f, 1.0f, 1.0f, 0.5f, 0.5f, 4, 4, 2};
  float const inf = INFINITY;
  std::vector<float> const pts = {
      0.1f,  0.1f,  0.0f,  0.0f,  // cell (2, 2)
      0.2f,  0.3f,  0.5f,  0.0f,  // cell (2, 2)
      0.4f,  0.4f,  -0.9f, 0.0f,  // cell (2, 2): its third point, over the cap
      -1.0f, -1.0f, 0.0f,  0.0f,  // the minimum is inside: cell (0, 0)
      1.0f,  0.0f,  0.0f,  0.0f,  // x == max is outside
      0.0f,  0.0f,  1.0f,  0.0f,  // z == max is outside
      0.9f,  -0.6f, -1.0f, 0.0f,  // cell (3, 0)
      inf,   inf,   inf,   inf,   // the shuffle's padding is outside
  };
  CloudStats const s = Pillars(g, pts.data(), static_cast<int64_t>(pts.size() / 4));
  EXPECT_EQ(s.pillars, 3);
  EXPECT_EQ(s.kept_points, 2 + 1 + 1);
}

TEST(AutowareRef, CandidatesPassScoreAndYawGateAndNmsKeepsTheFirstOfAClosePair) {
  // 2 classes, 1 x 4 cells of 0.5 m from (0, 0); channels: heat 0-1, offset 2-3, z 4, dim 5-7, rot 8-9, vel 10-11.
  HeadSpec const spec{2, 1, 4, 0.5f, 0.5f, 0.0f, 0.0f, 0.35f, 0.5f, {0.3f, 0.0f}};
  size_t const w = 4;
  std::vector<float> t(12 * w, 0.0f);
  auto at = [&](int channel, int x) -> float& { return t[channel * w + x]; };
  // cell 0: class 0, sigmoid(2) = 0.88, |rot| = 1: a candidate at (0, 0)
  at(0, 0) = 2.0f, at(1, 0) = -5.0f, at(8, 0) = 0.6f, at(9, 0) = 0.8f;
  // cell 1: class 1, sigmoid(1) = 0.73, |rot| = 0 passes class 1's gate 0; at x = (1 - 0.5) * 0.5 = 0.25 m from
  // cell 0: suppressed by it
  at(0, 1) = -5.0f, at(1, 1) = 1.0f, at(2, 1) = -0.5f;
  // cell 2: class 0, sigmoid(0) = 0.5, |rot| = 0.2 < 0.3: score 0, no candidate
  at(0, 2) = 0.0f, at(1, 2) = -5.0f, at(8, 2) = 0.2f;
  // cell 3: class 0, sigmoid(-0.5) = 0.378 > 0.35, |rot| = 1, at x = 1.5 m: kept
  at(0, 3) = -0.5f, at(1, 3) = -5.0f, at(9, 3) = 1.0f;
  HeadStats const s = Boxes(spec, t.data());
  EXPECT_EQ(s.candidates, 3);
  EXPECT_EQ(s.kept, 2);
}

TEST(AutowareRef, SweepMaskIsGreedyOverKeptBoxesOnly) {
  // Box 0 suppresses box 1; box 1 would suppress box 2, but box 1 is gone, so box 2 stays.
  std::vector<uint64_t> const mask = {0b010, 0b100, 0};
  EXPECT_EQ(SweepMask(mask.data(), 3, 1, 16), 2);
  // 18 boxes in two words of 16: box 0 suppresses box 17 (word 1, bit 1); nothing else overlaps.
  std::vector<uint64_t> wide(18 * 2, 0);
  wide[0 * 2 + 1] = 0b10;
  EXPECT_EQ(SweepMask(wide.data(), 18, 2, 16), 17);
}

}  // namespace
}  // namespace awml::bench::autoware_ref
