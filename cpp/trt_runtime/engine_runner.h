// EngineRunner: deserialise a plan, validate it against the declared I/O contract, bind by tensor name,
// enqueueV3 on the caller's stream, optionally replay a CUDA graph captured after warm-up, and profile
// per layer on request. The header is TensorRT-free (pimpl); nothing TensorRT is handed out.
//
//   StatusOr<std::unique_ptr<EngineRunner>> runner = EngineRunner::Create(options);
//   runner->SetInputShape("input_features", {n, 32, 9});   // dynamic inputs only
//   runner->SetTensorAddress("input_features", d_in);       // every I/O tensor, by name
//   runner->Enqueue(stream);                                 // or CaptureGraph(stream) once, then Enqueue
#ifndef AWML_CPP_TRT_RUNTIME_ENGINE_RUNNER_H_
#define AWML_CPP_TRT_RUNTIME_ENGINE_RUNNER_H_

#include <cuda_runtime_api.h>

#include <memory>
#include <string>
#include <vector>

#include "cpp/common/status.h"
#include "cpp/trt_runtime/io_spec.h"

namespace awml::trt {

struct RunnerOptions {
  std::string plan_path;
  IoSpec io;                                  //!< the contract the engine must satisfy
  int profile_index = 0;                      //!< optimisation profile used by this runner's context
  std::vector<std::string> plugin_libraries;  //!< loaded before deserialisation
  bool per_layer_profiling = false;           //!< attach a per-layer profiler (disables graph capture)
};

struct LayerTime {
  std::string layer;
  float total_ms = 0.0f;
  int calls = 0;
};

class EngineRunner {
 public:
  //! Loads plugins, deserialises the plan, validates it against options.io (kMismatch with every
  //! difference listed otherwise) and creates an execution context on options.profile_index.
  static StatusOr<std::unique_ptr<EngineRunner>> Create(RunnerOptions const& options);
  ~EngineRunner();
  EngineRunner(EngineRunner const&) = delete;
  EngineRunner& operator=(EngineRunner const&) = delete;

  IoSpec const& io() const;

  //! Sets a dynamic input's shape after checking it against the declared spec and the profile.
  Status SetInputShape(std::string const& name, Dims const& dims);
  //! Binds a declared tensor to device memory; unknown names are errors.
  Status SetTensorAddress(std::string const& name, void* address);
  //! The shape of a tensor for the current input shapes (outputs resolve once all inputs are set).
  StatusOr<Dims> TensorShape(std::string const& name) const;

  //! Runs the engine on `stream` (replays the captured graph if one is valid for the current bindings).
  //! Fails if a declared tensor is unbound or an input shape is unset.
  Status Enqueue(cudaStream_t stream);

  //! Warms up with one enqueue, then captures one enqueueV3 on `stream` into a CUDA graph that later
  //! Enqueue calls replay. Any SetInputShape/SetTensorAddress that changes a binding drops the graph.
  Status CaptureGraph(cudaStream_t stream);
  bool HasGraph() const;

  //! Accumulated per-layer times (empty unless per_layer_profiling); sorted by total time, descending.
  std::vector<LayerTime> LayerTimes() const;

 private:
  struct Impl;
  explicit EngineRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_ENGINE_RUNNER_H_
