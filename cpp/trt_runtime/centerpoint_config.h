// CenterPointRuntime configuration and the engine I/O contracts it implies (TensorRT-free, unit
// tested). The tensor contract is Autoware's with the export's dynamic pillar axis: encoder input
// [-1, points_per_pillar, features], encoder output [-1, 1, C] with one profile (min 1, opt
// max_pillars / 2, max max_pillars: projects/centerpoint/export.py derive_components), BEV canvas
// [1, C, grid_y, grid_x], head outputs [1, ch, H', W'].
#ifndef AWML_CPP_TRT_RUNTIME_CENTERPOINT_CONFIG_H_
#define AWML_CPP_TRT_RUNTIME_CENTERPOINT_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cpp/common/status.h"
#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/decode/decode.h"
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"
#include "cpp/plugins/kernels/scatter/scatter.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"
#include "cpp/trt_runtime/io_spec.h"

namespace awml::trt {

//! kTwoEngines: encoder engine → scatter kernel → backbone/head engine (Autoware's split).
//! kSingleEngine: one engine whose graph carries the AwmlPillarScatter plugin between encoder and backbone.
enum class CenterPointMode { kTwoEngines, kSingleEngine };

struct CenterPointTensorNames {
  std::string encoder_input = "input_features";    // both modes: decorated pillars
  std::string encoder_output = "pillar_features";  // two engines
  std::string head_input = "spatial_features";     // two engines
  std::string coords = "coords";                   // single engine: [max_pillars, 3] int32 (z, y, x)
  std::string num_pillars = "num_pillars";         // single engine: [1] int32
  std::string heatmap = "heatmap";
  std::string reg = "reg";
  std::string height = "height";
  std::string dim = "dim";
  std::string rot = "rot";
  std::string vel = "vel";  // ignored when has_velocity is false
};

struct CenterPointConfig {
  CenterPointMode mode = CenterPointMode::kTwoEngines;
  kernels::VoxelizeConfig voxelize;  //!< grid, point features, points per pillar, max pillars, mode
  bool use_voxel_center_z = false;   //!< 9 (false) or 10/11 (true) encoder features
  int encoder_channels = 32;         //!< C of the encoder output and the canvas
  int out_size_factor = 1;           //!< head grid = canvas grid / out_size_factor
  bool has_velocity = false;
  kernels::DecodeConfig decode;  //!< thresholds, mode, top_k; grid and voxel fields are derived
  kernels::CircleNmsConfig nms;  //!< radius etc.; max_boxes is derived from decode.top_k
  int64_t max_points = 2000000;  //!< capacity of the point buffer (Autoware cloud_capacity)
  //! The head was exported with rot_y_axis_reference (Autoware's y-axis convention: dim (w, l, h), rot
  //! (-cos, -sin)); the runtime converts it back to mmdet3d's layout (dim (l, w, h), rot (sin, cos)) before decode.
  bool rot_y_axis_reference = false;
  bool return_heads = false;  //!< also return the head tensors (mmdet3d layout) of each frame
  //! TensorRT single engine: the library holding AwmlPillarScatter, loaded before the plan (engines themselves
  //! are passed to CenterPointRuntime::Create; see trt_engine.h).
  std::vector<std::string> plugin_libraries;
  CenterPointTensorNames names;
};

//! Everything derived from a config, validated once.
struct CenterPointPlan {
  kernels::PillarGridF grid;
  int encoder_features = 0;  //!< 9, 10 or 11
  int head_x = 0;            //!< W' = grid.nx / out_size_factor
  int head_y = 0;
  kernels::PillarFeaturesConfig features;
  kernels::ScatterConfig scatter;
  kernels::DecodeConfig decode;
  kernels::CircleNmsConfig nms;
  IoSpec encoder_io;  //!< kTwoEngines
  IoSpec head_io;     //!< kTwoEngines
  IoSpec single_io;   //!< kSingleEngine
  //! Every head output name in decode order (heatmap, reg, height, dim, rot[, vel]).
  std::vector<std::string> head_outputs;
};

//! The encoder contract: input [-1, M, F] and output [-1, 1, C] with the profile min 1, opt
//! max(1, max_pillars / 2), max max_pillars on the pillar axis (the export's and TensorRT's).
IoSpec EncoderContract(CenterPointTensorNames const& names, int max_pillars, int points_per_pillar, int features,
                       int channels);

//! Validates the config (through the kernels' validators) and derives kernel configs and engine specs.
StatusOr<CenterPointPlan> PlanCenterPoint(CenterPointConfig const& config);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_CENTERPOINT_CONFIG_H_
