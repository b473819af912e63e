// Pluggable log sink. The runtime (and the TensorRT logger adapter) write through one process-wide
// sink; a ROS 2 node installs a sink that forwards to rclcpp, tests install a capturing sink.
#ifndef AWML_CPP_TRT_RUNTIME_LOGGING_H_
#define AWML_CPP_TRT_RUNTIME_LOGGING_H_

#include <memory>
#include <string_view>

namespace awml::trt {

enum class LogSeverity { kVerbose = 0, kInfo = 1, kWarning = 2, kError = 3 };

//! "V", "I", "W" or "E".
char const* LogSeverityTag(LogSeverity severity);

//! Receives every message at or above the configured minimum severity. Implementations must be
//! thread-safe: builds and runners may log from several threads.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(LogSeverity severity, std::string_view message) = 0;
};

//! Writes "[awml][W] message" lines to stderr. The default sink.
class StderrLogSink final : public LogSink {
 public:
  void Write(LogSeverity severity, std::string_view message) override;
};

//! Installs `sink` (nullptr restores the stderr sink) and returns the previous one.
std::shared_ptr<LogSink> SetLogSink(std::shared_ptr<LogSink> sink);

//! Messages below `severity` are dropped before reaching the sink. Defaults to kInfo.
void SetMinLogSeverity(LogSeverity severity);
LogSeverity MinLogSeverity();

//! Sends `message` to the current sink if `severity` passes the filter.
void Log(LogSeverity severity, std::string_view message);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_LOGGING_H_
