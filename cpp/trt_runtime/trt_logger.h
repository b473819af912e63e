// nvinfer1::ILogger that forwards TensorRT messages to the runtime's pluggable log sink.
#ifndef AWML_CPP_TRT_RUNTIME_TRT_LOGGER_H_
#define AWML_CPP_TRT_RUNTIME_TRT_LOGGER_H_

#include <NvInferRuntime.h>

namespace awml::trt {

class TrtLogger final : public nvinfer1::ILogger {
 public:
  void log(Severity severity, nvinfer1::AsciiChar const* msg) noexcept override;
};

//! The process-wide TensorRT logger (TensorRT keeps the pointer for the lifetime of its objects).
TrtLogger& GlobalTrtLogger();

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_TRT_LOGGER_H_
