#include "cpp/trt_runtime/centerpoint_config.h"

#include <algorithm>
#include <utility>

namespace awml::trt {
namespace {

Status WithStage(Status const& status, std::string const& what) {
  return status.WithContext("centerpoint config | " + what);
}

void AddHeadOutputs(CenterPointConfig const& config, int head_y, int head_x, IoSpec& io,
                    std::vector<std::string>& names) {
  CenterPointTensorNames const& n = config.names;
  names.clear();
  auto add = [&](std::string const& name, int channels) {
    io.tensors.push_back({name, TensorRole::kOutput, DataType::kFloat32, {1, channels, head_y, head_x}});
    names.push_back(name);
  };
  add(n.heatmap, config.decode.num_classes);
  add(n.reg, 2);
  add(n.height, 1);
  add(n.dim, 3);
  add(n.rot, 2);
  if (config.has_velocity) add(n.vel, 2);
}

ShapeRange PillarRange(int max_pillars, Dims const& rest) {
  auto with = [&](int64_t pillars) {
    Dims dims{pillars};
    dims.insert(dims.end(), rest.begin(), rest.end());
    return dims;
  };
  return {with(1), with(std::max(1, max_pillars / 2)), with(max_pillars)};
}

}  // namespace

IoSpec EncoderContract(CenterPointTensorNames const& names, int max_pillars, int points_per_pillar, int features,
                       int channels) {
  IoSpec io;
  io.tensors = {{names.encoder_input, TensorRole::kInput, DataType::kFloat32, {-1, points_per_pillar, features}},
                {names.encoder_output, TensorRole::kOutput, DataType::kFloat32, {-1, 1, channels}}};
  ProfileSpec profile;
  profile.shapes[names.encoder_input] = PillarRange(max_pillars, {points_per_pillar, features});
  io.profiles.push_back(std::move(profile));
  return io;
}

StatusOr<CenterPointPlan> PlanCenterPoint(CenterPointConfig const& config) {
  CenterPointPlan plan;
  kernels::VoxelizeConfig const& v = config.voxelize;
  AWML_RETURN_IF_ERROR(WithStage(kernels::ValidateVoxelizeConfig(v, &plan.grid), "voxelize"));
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
  AWML_RETURN_IF_ERROR(WithStage(kernels::ValidatePillarFeaturesConfig(plan.features, &unused), "pillar features"));
  plan.encoder_features = kernels::PillarFeatureCount(plan.features);

  plan.scatter.num_channels = config.encoder_channels;
  plan.scatter.grid_x = plan.grid.nx;
  plan.scatter.grid_y = plan.grid.ny;
  plan.scatter.max_pillars = v.max_pillars;
  plan.scatter.clear_canvas = true;
  AWML_RETURN_IF_ERROR(WithStage(kernels::ValidateScatterConfig(plan.scatter), "scatter"));

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
  AWML_RETURN_IF_ERROR(WithStage(kernels::ValidateDecodeConfig(plan.decode), "decode"));

  plan.nms = config.nms;
  plan.nms.max_boxes = plan.decode.top_k;
  plan.nms.input_sorted = true;      // decode writes its boxes in rank order (decode.h)
  plan.nms.suppressor_lists = true;  // CUDA: resolve suppressor lists in rounds (circle_nms.h); the CPU ignores it
  AWML_RETURN_IF_ERROR(WithStage(kernels::ValidateCircleNmsConfig(plan.nms), "circle nms"));

  if (config.mode == CenterPointMode::kTwoEngines) {
    plan.encoder_io = EncoderContract(config.names, v.max_pillars, v.max_points_per_pillar, plan.encoder_features,
                                      config.encoder_channels);
    plan.head_io.tensors = {{config.names.head_input,
                             TensorRole::kInput,
                             DataType::kFloat32,
                             {1, config.encoder_channels, plan.grid.ny, plan.grid.nx}}};
    AddHeadOutputs(config, plan.head_y, plan.head_x, plan.head_io, plan.head_outputs);
    AWML_RETURN_IF_ERROR(ValidateIoSpec(plan.encoder_io).WithContext("encoder"));
    AWML_RETURN_IF_ERROR(ValidateIoSpec(plan.head_io).WithContext("head"));
  } else {
    int const m = v.max_points_per_pillar;
    plan.single_io.tensors = {
        {config.names.encoder_input, TensorRole::kInput, DataType::kFloat32, {-1, m, plan.encoder_features}},
        {config.names.coords, TensorRole::kInput, DataType::kInt32, {-1, 3}},
        {config.names.num_pillars, TensorRole::kInput, DataType::kInt32, {1}}};
    ProfileSpec profile;
    profile.shapes[config.names.encoder_input] = PillarRange(v.max_pillars, {m, plan.encoder_features});
    profile.shapes[config.names.coords] = PillarRange(v.max_pillars, {3});
    plan.single_io.profiles.push_back(std::move(profile));
    AddHeadOutputs(config, plan.head_y, plan.head_x, plan.single_io, plan.head_outputs);
    AWML_RETURN_IF_ERROR(ValidateIoSpec(plan.single_io).WithContext("single engine"));
  }
  return plan;
}

}  // namespace awml::trt
