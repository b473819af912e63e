// EngineBuilder: ONNX → serialized plan, with the engine cache in front. The header is TensorRT-free so
// ROS nodes and the pybind module can include it without TensorRT headers.
//
//   BuildConfig config;            // onnx, plan path, precision, I/O contract + profiles, workspace, ...
//   StatusOr<BuildReport> report = BuildEngine(config);   // reuses a matching cached plan or rebuilds
#ifndef AWML_CPP_TRT_RUNTIME_ENGINE_BUILDER_H_
#define AWML_CPP_TRT_RUNTIME_ENGINE_BUILDER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "cpp/common/status.h"
#include "cpp/trt_runtime/io_spec.h"
#include "cpp/trt_runtime/precision_policy.h"

namespace awml::trt {

struct BuildConfig {
  std::string onnx_path;
  std::string plan_path;  //!< the plan; `<plan>.meta` and `<plan>.layers.json` are written next to it
  PrecisionPolicy precision = PrecisionPolicy::kAuto;
  IoSpec io;                        //!< the declared contract; its profiles become the engine's optimisation profiles
  std::size_t workspace_bytes = 0;  //!< 0 = TensorRT's default (device memory size)
  int device_index = 0;             //!< the CUDA device the engine is built (and its cache keyed) on
  int builder_optimization_level = -1;        //!< 0..5; -1 = TensorRT's default (3). Part of the cache key.
  std::string timing_cache_path;              //!< empty = no timing cache; loaded if present, saved after a build
  std::vector<std::string> plugin_libraries;  //!< loadable plugin libraries, loaded before parsing
  bool write_layer_json = true;               //!< engine inspector JSON (detailed profiling verbosity)
  bool force_rebuild = false;                 //!< ignore the cache
};

struct BuildReport {
  std::string plan_path;
  std::string metadata_path;
  std::string layer_json_path;  //!< empty when not written
  bool reused = false;          //!< true when the cached plan was reused
  std::string cache_reason;     //!< why it was reused or rebuilt
  std::string mechanism;        //!< how the precision policy was realised (also in the build log)
  std::string tensorrt_version;
  double build_seconds = 0.0;
};

//! Reuses the plan at config.plan_path when its metadata matches (ONNX sha256, precision, profiles,
//! TensorRT version, GPU compute capability, plugin versions); otherwise builds it, validates the built
//! engine against config.io, and writes plan, metadata and layer JSON (metadata last, so an interrupted
//! build is never reused).
StatusOr<BuildReport> BuildEngine(BuildConfig const& config);

//! The TensorRT library loaded at run time, "10.16.0".
std::string LoadedTensorRtVersion();

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_ENGINE_BUILDER_H_
