#include "cpp/trt_runtime/centerpoint_config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace awml::trt {
namespace {

CenterPointConfig AutowareConfig() {
  CenterPointConfig config;  // defaults: Autoware centerpoint (480 x 480, 40000 pillars, 32 points, 4 features)
  return config;
}

bool Contains(Status const& status, std::string const& text) {
  return status.message().find(text) != std::string::npos;
}

TEST(PlanCenterPointTest, AutowareTwoEngineContract) {
  StatusOr<CenterPointPlan> const plan = PlanCenterPoint(AutowareConfig());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->grid.nx, 480);
  EXPECT_EQ(plan->grid.ny, 480);
  EXPECT_EQ(plan->encoder_features, 9);
  // The export's dynamic pillar axis and its one profile (min 1, opt max / 2, max max_pillars).
  EXPECT_EQ(plan->encoder_io.Find("input_features")->dims, (Dims{-1, 32, 9}));
  EXPECT_EQ(plan->encoder_io.Find("pillar_features")->dims, (Dims{-1, 1, 32}));
  ASSERT_EQ(plan->encoder_io.profiles.size(), 1u);
  ShapeRange const& range = plan->encoder_io.profiles[0].shapes.at("input_features");
  EXPECT_EQ(range.min, (Dims{1, 32, 9}));
  EXPECT_EQ(range.opt, (Dims{20000, 32, 9}));
  EXPECT_EQ(range.max, (Dims{40000, 32, 9}));
  EXPECT_EQ(plan->head_outputs, (std::vector<std::string>{"heatmap", "reg", "height", "dim", "rot"}));
  EXPECT_EQ(plan->head_io.Find("spatial_features")->dims, (Dims{1, 32, 480, 480}));
  EXPECT_EQ(plan->head_io.Find("heatmap")->dims, (Dims{1, 5, 480, 480}));
  EXPECT_EQ(plan->head_io.Find("dim")->dims, (Dims{1, 3, 480, 480}));
  EXPECT_EQ(plan->head_io.Find("vel"), nullptr);
  EXPECT_EQ(plan->decode.grid_x, 480);
  EXPECT_EQ(plan->nms.max_boxes, plan->decode.top_k);
  EXPECT_EQ(plan->scatter.num_channels, 32);
}

TEST(PlanCenterPointTest, TinyModelHalvesTheHeadAndAddsVelocityAndZCentre) {
  CenterPointConfig config = AutowareConfig();
  config.out_size_factor = 2;
  config.has_velocity = true;
  config.use_voxel_center_z = true;
  StatusOr<CenterPointPlan> const plan = PlanCenterPoint(config);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->encoder_features, 10);
  EXPECT_EQ(plan->head_io.Find("heatmap")->dims, (Dims{1, 5, 240, 240}));
  EXPECT_EQ(plan->head_io.Find("vel")->dims, (Dims{1, 2, 240, 240}));
  EXPECT_EQ(plan->decode.out_size_factor, 2);
  EXPECT_DOUBLE_EQ(plan->decode.voxel_x, 0.32);
}

TEST(PlanCenterPointTest, SingleEngineCarriesCoordsAndCountInputs) {
  CenterPointConfig config = AutowareConfig();
  config.mode = CenterPointMode::kSingleEngine;
  config.plugin_libraries = {"libawml_plugins.so"};
  StatusOr<CenterPointPlan> const plan = PlanCenterPoint(config);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->single_io.Find("coords")->dtype, DataType::kInt32);
  EXPECT_EQ(plan->single_io.Find("coords")->dims, (Dims{-1, 3}));
  EXPECT_EQ(plan->single_io.profiles.at(0).shapes.at("coords").max, (Dims{40000, 3}));
  EXPECT_EQ(plan->single_io.Find("num_pillars")->dims, (Dims{1}));
  EXPECT_EQ(plan->single_io.Find("spatial_features"), nullptr);
  EXPECT_TRUE(plan->encoder_io.tensors.empty());
}

TEST(PlanCenterPointTest, RejectsBadConfigsWithOneClearLine) {
  CenterPointConfig config = AutowareConfig();
  config.out_size_factor = 7;
  EXPECT_TRUE(Contains(PlanCenterPoint(config).status(), "out_size_factor must divide the grid 480 x 480"));

  config = AutowareConfig();
  config.voxelize.grid.voxel_x = -1.0;
  StatusOr<CenterPointPlan> const bad_grid = PlanCenterPoint(config);
  EXPECT_EQ(bad_grid.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(bad_grid.status(), "centerpoint config | voxelize: "));

  config = AutowareConfig();
  config.max_points = 0;
  EXPECT_TRUE(Contains(PlanCenterPoint(config).status(), "max_points must be >= 1"));
}

}  // namespace
}  // namespace awml::trt
