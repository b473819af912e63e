// TrtEngine: the TensorRT implementation of Engine (a deserialised plan run by EngineRunner on the
// caller's stream, device memory). The header is TensorRT-free; the target is TensorRT-only.
#ifndef AWML_CPP_TRT_RUNTIME_TRT_ENGINE_H_
#define AWML_CPP_TRT_RUNTIME_TRT_ENGINE_H_

#include <memory>

#include "cpp/common/status.h"
#include "cpp/trt_runtime/engine.h"
#include "cpp/trt_runtime/engine_runner.h"

namespace awml::trt {

//! Loads and validates the plan of `options` (see EngineRunner::Create) behind the Engine interface.
StatusOr<std::unique_ptr<Engine>> OpenTrtEngine(RunnerOptions const& options);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_TRT_ENGINE_H_
