#include "cpp/plugins/trt/plugin_logger.h"

#include <atomic>
#include <cstdio>

namespace awml::plugins {
namespace {

std::atomic<nvinfer1::ILoggerFinder*>& Finder() {
  static std::atomic<nvinfer1::ILoggerFinder*> finder{nullptr};
  return finder;
}

}  // namespace

void SetPluginLoggerFinder(nvinfer1::ILoggerFinder* finder) noexcept { Finder().store(finder); }

void LogPluginMessage(nvinfer1::ILogger::Severity severity, std::string const& message) noexcept {
  nvinfer1::ILoggerFinder* finder = Finder().load();
  nvinfer1::ILogger* logger = finder != nullptr ? finder->findLogger() : nullptr;
  if (logger != nullptr) {
    logger->log(severity, message.c_str());
  } else {
    std::fprintf(stderr, "[awml plugins] %s\n", message.c_str());
  }
}

}  // namespace awml::plugins
