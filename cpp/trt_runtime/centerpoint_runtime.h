// CenterPointRuntime: points → boxes, on the CPU (the kernels' CPU twins) or on one CUDA stream, around
// one or two Engines (engine.h: TensorRT plans, or a Python callable such as an ONNX Runtime session).
//
//   two engines:   voxelize → features → encoder engine → scatter → backbone/head engine → decode → NMS
//   single engine: voxelize → features → engine (encoder + AwmlPillarScatter plugin + head) → decode → NMS
//
// Buffers are allocated once at Create. The encoder's pillar axis is dynamic (the export's contract), so
// the frame's pillar count is read on the host before the engines run (one stream synchronisation on
// CUDA, as Autoware does); a host engine on a CUDA runtime is fed through host staging copies. The header
// is TensorRT- and CUDA-free.
#ifndef AWML_CPP_TRT_RUNTIME_CENTERPOINT_RUNTIME_H_
#define AWML_CPP_TRT_RUNTIME_CENTERPOINT_RUNTIME_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cpp/common/status.h"
#include "cpp/common/stream_handle.h"
#include "cpp/trt_runtime/centerpoint_config.h"
#include "cpp/trt_runtime/engine.h"

namespace awml::trt {

enum class RuntimeDevice { kCpu, kCuda };

struct CenterPointDetections {
  //! Kept boxes in score order; fields as kernels::BoxField (x, y, z, dx, dy, dz, yaw, vx, vy, score, label).
  std::vector<std::array<float, kernels::kBoxFields>> boxes;
  int32_t num_pillars = 0;
  int32_t pillars_dropped = 0;  //!< cells that got no pillar because max_pillars was reached
  int32_t points_out_of_range = 0;
  int32_t candidates_dropped = 0;  //!< decode candidates beyond max_candidates
  //! config.return_heads only: each head output [1, C, H', W'] in mmdet3d's layout, by name.
  std::map<std::string, std::vector<float>> heads;
};

class CenterPointRuntime {
 public:
  //! Whether this build has the CUDA path.
  static bool CudaBuilt();

  //! Validates the config, checks each engine's I/O against the plan's contract, and allocates every buffer.
  //! kTwoEngines takes (encoder, head); kSingleEngine takes (single, nullptr). kCuda needs a CUDA build, a
  //! device and a created `stream` (cudaStream_t) that outlives the runtime; kCpu ignores `stream`.
  static StatusOr<std::unique_ptr<CenterPointRuntime>> Create(CenterPointConfig const& config,
                                                              std::unique_ptr<Engine> first,
                                                              std::unique_ptr<Engine> second, RuntimeDevice device,
                                                              StreamHandle stream = nullptr);
  ~CenterPointRuntime();
  CenterPointRuntime(CenterPointRuntime const&) = delete;
  CenterPointRuntime& operator=(CenterPointRuntime const&) = delete;

  RuntimeDevice device() const;
  //! The runtime's point buffer (max_points x num_point_features floats, host or device memory).
  float* points_buffer() const;

  //! Copies `num_points` x F host floats into points_buffer() (enqueued on CUDA).
  Status CopyPoints(float const* host_points, int64_t num_points);
  //! Stage 1: voxelize and decorate `num_points` points in the runtime's memory. Enqueued, no sync.
  Status Preprocess(float const* points, int64_t num_points);
  //! Stage 2: reads the pillar count (the one synchronisation before the engines), runs the engine(s) and
  //! the scatter; a CUDA runtime with host engines stages through host copies.
  Status RunNetwork();
  //! Stage 3: head layout, decode, circle NMS and the copy of the results to host memory. Enqueued, no sync.
  Status Postprocess();
  //! Waits for the stream (CUDA) and returns the results of the last Postprocess.
  StatusOr<CenterPointDetections> Download();
  //! Host convenience: copies `num_points` x F floats in, runs the three stages and Download.
  StatusOr<CenterPointDetections> Detect(float const* host_points, int64_t num_points);

 private:
  struct Impl;
  explicit CenterPointRuntime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_CENTERPOINT_RUNTIME_H_
