// autoware_bench's set-up from Autoware's config; timing, rows and JSON are tools/bench/bench_timing.h, shared with
// kernels_bench.
#ifndef AWML_TOOLS_BENCH_AUTOWARE_AUTOWARE_COMMON_H_
#define AWML_TOOLS_BENCH_AUTOWARE_AUTOWARE_COMMON_H_

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "autoware/lidar_centerpoint/centerpoint_config.hpp"
#include "tools/bench/autoware/autoware_ref.h"
#include "tools/bench/bench_timing.h"

namespace awml::bench {

// Our CPU reference (autoware_ref.h) set up from Autoware's config.
inline autoware_ref::Grid RefGrid(autoware::lidar_centerpoint::CenterPointConfig const& c) {
  return {c.range_min_x_,
          c.range_min_y_,
          c.range_min_z_,
          c.range_max_x_,
          c.range_max_y_,
          c.range_max_z_,
          c.voxel_size_x_,
          c.voxel_size_y_,
          static_cast<int>(c.grid_size_x_),
          static_cast<int>(c.grid_size_y_),
          static_cast<int>(c.max_point_in_voxel_size_)};
}

inline autoware_ref::HeadSpec RefHeads(autoware::lidar_centerpoint::CenterPointConfig const& c) {
  return {static_cast<int>(c.class_size_),
          static_cast<int>(c.down_grid_size_y_),
          static_cast<int>(c.down_grid_size_x_),
          c.voxel_size_x_ * c.downsample_factor_,
          c.voxel_size_y_ * c.downsample_factor_,
          c.range_min_x_,
          c.range_min_y_,
          c.score_threshold_,
          c.circle_nms_dist_threshold_,
          c.yaw_norm_thresholds_};
}

// A check of Autoware's GPU output against our CPU reference that must hold for the timing to mean anything.
inline void Require(bool ok, std::string const& what) {
  if (ok) return;
  std::fprintf(stderr, "autoware_bench | %s\n", what.c_str());
  std::exit(1);
}

void BenchPre(autoware::lidar_centerpoint::CenterPointConfig const& c, cudaStream_t st, int64_t n,
              std::vector<Row>* rows);
void BenchPost(autoware::lidar_centerpoint::CenterPointConfig const& c, cudaStream_t st, int objects, char const* name,
               std::vector<Row>* rows);

}  // namespace awml::bench

#endif  // AWML_TOOLS_BENCH_AUTOWARE_AUTOWARE_COMMON_H_
