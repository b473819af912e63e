#include "cpp/trt_runtime/logging.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

namespace awml::trt {
namespace {

std::mutex& SinkMutex() {
  static std::mutex mutex;
  return mutex;
}

std::shared_ptr<LogSink>& CurrentSink() {
  static std::shared_ptr<LogSink> sink = std::make_shared<StderrLogSink>();
  return sink;
}

std::atomic<int>& MinSeverityStorage() {
  static std::atomic<int> min_severity{static_cast<int>(LogSeverity::kInfo)};
  return min_severity;
}

}  // namespace

char const* LogSeverityTag(LogSeverity severity) {
  switch (severity) {
    case LogSeverity::kVerbose:
      return "V";
    case LogSeverity::kInfo:
      return "I";
    case LogSeverity::kWarning:
      return "W";
    case LogSeverity::kError:
      return "E";
  }
  return "?";
}

void StderrLogSink::Write(LogSeverity severity, std::string_view message) {
  std::string line = std::string("[awml][") + LogSeverityTag(severity) + "] ";
  line.append(message.data(), message.size());
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

std::shared_ptr<LogSink> SetLogSink(std::shared_ptr<LogSink> sink) {
  if (sink == nullptr) sink = std::make_shared<StderrLogSink>();
  std::lock_guard<std::mutex> lock(SinkMutex());
  std::shared_ptr<LogSink> previous = CurrentSink();
  CurrentSink() = std::move(sink);
  return previous;
}

void SetMinLogSeverity(LogSeverity severity) { MinSeverityStorage().store(static_cast<int>(severity)); }

LogSeverity MinLogSeverity() { return static_cast<LogSeverity>(MinSeverityStorage().load()); }

void Log(LogSeverity severity, std::string_view message) {
  if (static_cast<int>(severity) < MinSeverityStorage().load()) return;
  std::shared_ptr<LogSink> sink;
  {
    std::lock_guard<std::mutex> lock(SinkMutex());
    sink = CurrentSink();
  }
  sink->Write(severity, message);  // outside the lock: a sink may log again or block
}

}  // namespace awml::trt
