// CenterPointRuntime: points → boxes on one CUDA stream with buffers allocated once at Create.
//
//   two engines:   voxelize → features → encoder engine → scatter → backbone/head engine → decode → NMS
//   single engine: voxelize → features → engine (encoder + AwmlPillarScatter plugin + head) → decode → NMS
//
// Nothing is allocated per frame and nothing synchronises the host until the final copy of the kept
// boxes (Download). The header is TensorRT-free.
#ifndef AWML_CPP_TRT_RUNTIME_CENTERPOINT_RUNTIME_H_
#define AWML_CPP_TRT_RUNTIME_CENTERPOINT_RUNTIME_H_

#include <cuda_runtime_api.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "cpp/common/status.h"
#include "cpp/trt_runtime/centerpoint_config.h"

namespace awml::trt {

struct CenterPointDetections {
  //! Kept boxes in score order; fields as kernels::BoxField (x, y, z, w, l, h, yaw, vx, vy, score, label).
  std::vector<std::array<float, kernels::kBoxFields>> boxes;
  int32_t num_pillars = 0;
  int32_t pillars_dropped = 0;  //!< cells that got no pillar because max_pillars was reached
  int32_t points_out_of_range = 0;
  int32_t candidates_dropped = 0;  //!< decode candidates beyond max_candidates
};

class CenterPointRuntime {
 public:
  //! Validates the config, loads and validates the engine(s), and allocates every buffer on `stream`
  //! (stream-ordered). `stream` must be a created stream that outlives the runtime; all work runs on it.
  static StatusOr<std::unique_ptr<CenterPointRuntime>> Create(CenterPointConfig const& config, cudaStream_t stream);
  ~CenterPointRuntime();
  CenterPointRuntime(CenterPointRuntime const&) = delete;
  CenterPointRuntime& operator=(CenterPointRuntime const&) = delete;

  //! Device buffer of max_points x num_point_features floats for callers that write points directly.
  float* device_points() const;

  //! Enqueues the whole pipeline for `num_points` points already in `device_points` (or any device
  //! buffer of that layout) and the copy of the results to pinned memory. No host synchronisation.
  Status Enqueue(float const* device_points, int64_t num_points);
  //! Waits for the stream and returns the results of the last Enqueue.
  StatusOr<CenterPointDetections> Download();
  //! Host convenience: copies `num_points` x F floats to the device, Enqueue, Download.
  StatusOr<CenterPointDetections> Detect(float const* host_points, int64_t num_points);

 private:
  struct Impl;
  explicit CenterPointRuntime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_CENTERPOINT_RUNTIME_H_
