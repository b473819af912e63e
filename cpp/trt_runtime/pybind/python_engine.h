// PythonEngine: the Engine interface around a Python callable `run(feed: dict[str, ndarray]) ->
// Mapping[str, ndarray]` (an ONNX Runtime session's run, in practice). Host memory; Run acquires the GIL
// only around the call (the runtime itself runs with the GIL released), wraps the bound inputs as numpy
// arrays without copying, and copies each returned output, after checking its dtype and shape, into the
// bound output address.
#ifndef AWML_CPP_TRT_RUNTIME_PYBIND_PYTHON_ENGINE_H_
#define AWML_CPP_TRT_RUNTIME_PYBIND_PYTHON_ENGINE_H_

#include <pybind11/pybind11.h>

#include <map>
#include <memory>
#include <string>

#include "cpp/trt_runtime/engine.h"
#include "cpp/trt_runtime/io_spec.h"

namespace awml::trt {

//! What Python holds: the callable and its declared I/O (dynamic dims -1; no profiles). Hidden like the
//! pybind11 types it holds.
struct __attribute__((visibility("hidden"))) PythonEngineSpec {
  pybind11::object run;
  IoSpec io;
};

//! One Engine per runtime slot over a shared spec. Output dynamic dims resolve to the first dynamic dim
//! of the inputs' current shapes (the pillar axis of the CenterPoint encoder).
class __attribute__((visibility("hidden"))) PythonEngine final : public Engine {
 public:
  explicit PythonEngine(std::shared_ptr<PythonEngineSpec> spec) : spec_(std::move(spec)) {}
  ~PythonEngine() override;

  IoSpec const& io() const override { return spec_->io; }
  MemoryLocation location() const override { return MemoryLocation::kHost; }
  Status SetInputShape(std::string const& name, Dims const& dims) override;
  Status SetTensorAddress(std::string const& name, void* address) override;
  Status Run(StreamHandle stream) override;

 private:
  std::shared_ptr<PythonEngineSpec> spec_;
  std::map<std::string, Dims> shapes_;
  std::map<std::string, void*> addresses_;
};

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_PYBIND_PYTHON_ENGINE_H_
