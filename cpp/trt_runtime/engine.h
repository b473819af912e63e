// Engine: the network half of a runtime, behind one interface. CenterPointRuntime drives it by tensor
// name; it does not know whether TensorRT, ONNX Runtime or anything else computes the network.
//
//   engine->SetInputShape("input_features", {n, 32, 10});   // dynamic inputs, before every Run
//   engine->SetTensorAddress("input_features", features);   // every I/O tensor, by name, in location()
//   engine->Run(stream);                                     // device: enqueue on stream; host: blocks
//
// Implementations: TrtEngine (trt_engine.h, TensorRT plans, device memory, enqueueV3 on the stream) and
// the pybind11 PythonEngine (a Python callable such as an ONNX Runtime session, host memory). TensorRT-free.
#ifndef AWML_CPP_TRT_RUNTIME_ENGINE_H_
#define AWML_CPP_TRT_RUNTIME_ENGINE_H_

#include <string>

#include "cpp/common/status.h"
#include "cpp/common/stream_handle.h"
#include "cpp/trt_runtime/io_spec.h"

namespace awml::trt {

//! Where an engine's bound tensors live.
enum class MemoryLocation { kHost, kDevice };

class Engine {
 public:
  virtual ~Engine() = default;

  //! The I/O contract the engine was validated against (dynamic dims are -1).
  virtual IoSpec const& io() const = 0;
  //! kDevice: addresses are device pointers and Run enqueues on the stream without host synchronisation.
  //! kHost: addresses are host pointers and Run computes synchronously on the calling thread.
  virtual MemoryLocation location() const = 0;
  //! Sets a dynamic input's shape (checked against the declared spec and its profile range).
  virtual Status SetInputShape(std::string const& name, Dims const& dims) = 0;
  //! Binds a declared tensor to memory of location(); outputs are written there with the shapes the inputs imply.
  virtual Status SetTensorAddress(std::string const& name, void* address) = 0;
  //! Runs the network once on the bound tensors. `stream` is ignored by host engines.
  virtual Status Run(StreamHandle stream) = 0;
};

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_ENGINE_H_
