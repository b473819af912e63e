// CPU scatter: layout, clearing, count clamping and out-of-canvas coordinates.
#include "cpp/plugins/kernels/scatter/scatter.h"

#include <gtest/gtest.h>

#include <vector>

namespace awml::kernels {
namespace {

ScatterConfig Config() {
  ScatterConfig c;
  c.num_channels = 2;
  c.grid_x = 4;
  c.grid_y = 3;
  c.max_pillars = 3;
  return c;
}

TEST(ScatterCpu, WritesChannelMajorCanvas) {
  std::vector<float> const feat{1, 2, 3, 4, 5, 6};
  std::vector<int32_t> const coords{0, 2, 3, 0, 0, 1, 0, 1, 0};
  std::vector<float> canvas(2 * 12, -7.0f);
  int32_t const count = 3;
  ASSERT_TRUE(ScatterCpu(Config(), feat.data(), coords.data(), &count, canvas.data()).ok());
  std::vector<float> want(24, 0.0f);
  want[2 * 4 + 3] = 1;
  want[12 + 2 * 4 + 3] = 2;
  want[1] = 3;
  want[12 + 1] = 4;
  want[4] = 5;
  want[12 + 4] = 6;
  EXPECT_EQ(canvas, want);
}

TEST(ScatterCpu, NoPillarsGivesZeroCanvas) {
  std::vector<float> canvas(24, -7.0f);
  int32_t const count = 0;
  ASSERT_TRUE(ScatterCpu(Config(), canvas.data(), std::vector<int32_t>(9).data(), &count, canvas.data()).ok());
  EXPECT_EQ(canvas, std::vector<float>(24, 0.0f));
}

TEST(ScatterCpu, ClampsCountAndSkipsOutsideCoords) {
  std::vector<float> const feat{1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<int32_t> const coords{0, -1, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0};  // 4th pillar is beyond max_pillars
  std::vector<float> canvas(24, -7.0f);
  int32_t const count = 40;
  ASSERT_TRUE(ScatterCpu(Config(), feat.data(), coords.data(), &count, canvas.data()).ok());
  EXPECT_EQ(canvas, std::vector<float>(24, 0.0f));
}

TEST(ScatterCpu, KeepsCanvasWhenNotClearing) {
  ScatterConfig c = Config();
  c.clear_canvas = false;
  std::vector<float> canvas(24, -7.0f);
  std::vector<float> const feat{1, 2};
  std::vector<int32_t> const coords{0, 0, 0};
  int32_t const count = 1;
  ASSERT_TRUE(ScatterCpu(c, feat.data(), coords.data(), &count, canvas.data()).ok());
  EXPECT_EQ(canvas[0], 1.0f);
  EXPECT_EQ(canvas[1], -7.0f);
}

TEST(ScatterCpu, RejectsBadConfig) {
  ScatterConfig c = Config();
  c.num_channels = 0;
  std::vector<float> canvas(24);
  int32_t const count = 0;
  EXPECT_EQ(ScatterCpu(c, canvas.data(), std::vector<int32_t>(3).data(), &count, canvas.data()).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace awml::kernels
