#include "cpp/trt_runtime/trt_logger.h"

#include <string>

#include "cpp/trt_runtime/logging.h"

namespace awml::trt {

void TrtLogger::log(Severity severity, nvinfer1::AsciiChar const* msg) noexcept {
  try {
    LogSeverity mapped = LogSeverity::kVerbose;
    switch (severity) {
      case Severity::kINTERNAL_ERROR:
      case Severity::kERROR:
        mapped = LogSeverity::kError;
        break;
      case Severity::kWARNING:
        mapped = LogSeverity::kWarning;
        break;
      case Severity::kINFO:
        mapped = LogSeverity::kInfo;
        break;
      case Severity::kVERBOSE:
        mapped = LogSeverity::kVerbose;
        break;
    }
    Log(mapped, std::string("tensorrt | ") + (msg != nullptr ? msg : ""));
  } catch (...) {
    // A logger must never throw into TensorRT.
  }
}

TrtLogger& GlobalTrtLogger() {
  static TrtLogger logger;
  return logger;
}

}  // namespace awml::trt
