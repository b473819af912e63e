// CenterPointRuntime configuration and the engine I/O contracts it implies (TensorRT-free, unit
// tested). The tensor contract is Autoware's: encoder input [max_pillars, points_per_pillar, features],
// encoder output [max_pillars, 1, C], BEV canvas [1, C, grid_y, grid_x], head outputs [1, ch, H', W'].
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
  kernels::DecodeConfig decode;               //!< thresholds, mode, top_k; grid and voxel fields are derived
  kernels::CircleNmsConfig nms;               //!< radius etc.; max_boxes is derived from decode.top_k
  int64_t max_points = 2000000;               //!< capacity of the point buffer (Autoware cloud_capacity)
  std::string encoder_plan;                   //!< kTwoEngines
  std::string head_plan;                      //!< kTwoEngines
  std::string single_plan;                    //!< kSingleEngine
  std::vector<std::string> plugin_libraries;  //!< kSingleEngine: the library holding AwmlPillarScatter
  CenterPointTensorNames names;
  bool use_cuda_graph = false;  //!< capture each engine's enqueue after warm-up
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
};

//! Validates the config (through the kernels' validators) and derives kernel configs and engine specs.
StatusOr<CenterPointPlan> PlanCenterPoint(CenterPointConfig const& config);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_CENTERPOINT_CONFIG_H_
