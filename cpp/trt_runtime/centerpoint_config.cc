#include "cpp/trt_runtime/centerpoint_config.h"

namespace awml::trt {
namespace {

void AddHeadOutputs(CenterPointConfig const& config, int head_y, int head_x, IoSpec& io) {
  CenterPointTensorNames const& n = config.names;
  auto add = [&](std::string const& name, int channels) {
    io.tensors.push_back({name, TensorRole::kOutput, DataType::kFloat32, {1, channels, head_y, head_x}});
  };
  add(n.heatmap, config.decode.num_classes);
  add(n.reg, 2);
  add(n.height, 1);
  add(n.dim, 3);
  add(n.rot, 2);
  if (config.has_velocity) add(n.vel, 2);
}

}  // namespace

StatusOr<CenterPointPlan> PlanCenterPoint(CenterPointConfig const& config) {
  CenterPointPlan plan;
  kernels::VoxelizeConfig const& v = config.voxelize;
  AWML_RETURN_IF_ERROR(kernels::ValidateVoxelizeConfig(v, &plan.grid).WithContext("centerpoint config | voxelize"));
  if (config.max_points < 1) {
    return InvalidArgumentError("centerpoint config | max_points must be >= 1. Note: got " +
                                std::to_string(config.max_points));
  }
  if (config.out_size_factor < 1 || plan.grid.nx % config.out_size_factor != 0 ||
      plan.grid.ny % config.out_size_factor != 0) {
    return InvalidArgumentError("centerpoint config | out_size_factor must divide the grid " +
                                std::to_string(plan.grid.nx) + " x " + std::to_string(plan.grid.ny) + ". Note: got " +
                                std::to_string(config.out_size_factor));
  }
  if (config.encoder_channels < 1) {
    return InvalidArgumentError("centerpoint config | encoder_channels must be >= 1. Note: got " +
                                std::to_string(config.encoder_channels));
  }

  plan.features.grid = v.grid;
  plan.features.num_point_features = v.num_point_features;
  plan.features.max_points_per_pillar = v.max_points_per_pillar;
  plan.features.max_pillars = v.max_pillars;
  plan.features.use_voxel_center_z = config.use_voxel_center_z;
  kernels::PillarGridF unused;
  AWML_RETURN_IF_ERROR(kernels::ValidatePillarFeaturesConfig(plan.features, &unused)
                           .WithContext("centerpoint config | pillar features"));
  plan.encoder_features = kernels::PillarFeatureCount(plan.features);

  plan.scatter.num_channels = config.encoder_channels;
  plan.scatter.grid_x = plan.grid.nx;
  plan.scatter.grid_y = plan.grid.ny;
  plan.scatter.max_pillars = v.max_pillars;
  plan.scatter.clear_canvas = true;
  AWML_RETURN_IF_ERROR(kernels::ValidateScatterConfig(plan.scatter).WithContext("centerpoint config | scatter"));

  plan.head_x = plan.grid.nx / config.out_size_factor;
  plan.head_y = plan.grid.ny / config.out_size_factor;
  plan.decode = config.decode;
  plan.decode.grid_x = plan.head_x;
  plan.decode.grid_y = plan.head_y;
  plan.decode.out_size_factor = config.out_size_factor;
  plan.decode.voxel_x = v.grid.voxel_x;
  plan.decode.voxel_y = v.grid.voxel_y;
  plan.decode.min_x = v.grid.min_x;
  plan.decode.min_y = v.grid.min_y;
  AWML_RETURN_IF_ERROR(kernels::ValidateDecodeConfig(plan.decode).WithContext("centerpoint config | decode"));

  plan.nms = config.nms;
  plan.nms.max_boxes = plan.decode.top_k;
  AWML_RETURN_IF_ERROR(kernels::ValidateCircleNmsConfig(plan.nms).WithContext("centerpoint config | circle nms"));

  int64_t const pillars = v.max_pillars;
  TensorSpec const encoder_input{config.names.encoder_input,
                                 TensorRole::kInput,
                                 DataType::kFloat32,
                                 {pillars, v.max_points_per_pillar, plan.encoder_features}};
  if (config.mode == CenterPointMode::kTwoEngines) {
    if (config.encoder_plan.empty() || config.head_plan.empty()) {
      return InvalidArgumentError("centerpoint config | two-engine mode needs encoder_plan and head_plan");
    }
    plan.encoder_io.tensors = {
        encoder_input,
        {config.names.encoder_output, TensorRole::kOutput, DataType::kFloat32, {pillars, 1, config.encoder_channels}}};
    plan.head_io.tensors = {{config.names.head_input,
                             TensorRole::kInput,
                             DataType::kFloat32,
                             {1, config.encoder_channels, plan.grid.ny, plan.grid.nx}}};
    AddHeadOutputs(config, plan.head_y, plan.head_x, plan.head_io);
    AWML_RETURN_IF_ERROR(ValidateIoSpec(plan.encoder_io).WithContext("encoder"));
    AWML_RETURN_IF_ERROR(ValidateIoSpec(plan.head_io).WithContext("head"));
  } else {
    if (config.single_plan.empty())
      return InvalidArgumentError("centerpoint config | single-engine mode needs single_plan");
    if (config.plugin_libraries.empty()) {
      return InvalidArgumentError(
          "centerpoint config | single-engine mode needs the plugin library "
          "(libawml_plugins.so) in plugin_libraries");
    }
    plan.single_io.tensors = {encoder_input,
                              {config.names.coords, TensorRole::kInput, DataType::kInt32, {pillars, 3}},
                              {config.names.num_pillars, TensorRole::kInput, DataType::kInt32, {1}}};
    AddHeadOutputs(config, plan.head_y, plan.head_x, plan.single_io);
    AWML_RETURN_IF_ERROR(ValidateIoSpec(plan.single_io).WithContext("single engine"));
  }
  return plan;
}

}  // namespace awml::trt
