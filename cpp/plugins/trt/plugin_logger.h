// Logging from inside plugins: through the ILogger TensorRT hands over via setLoggerFinder (so plugin
// messages land in the application's logger), falling back to stderr before that.
#ifndef AWML_CPP_PLUGINS_TRT_PLUGIN_LOGGER_H_
#define AWML_CPP_PLUGINS_TRT_PLUGIN_LOGGER_H_

#include <NvInferRuntime.h>

#include <string>

namespace awml::plugins {

void SetPluginLoggerFinder(nvinfer1::ILoggerFinder* finder) noexcept;
void LogPluginMessage(nvinfer1::ILogger::Severity severity, std::string const& message) noexcept;
inline void LogPluginError(std::string const& message) noexcept {
  LogPluginMessage(nvinfer1::ILogger::Severity::kERROR, message);
}

}  // namespace awml::plugins

#endif  // AWML_CPP_PLUGINS_TRT_PLUGIN_LOGGER_H_
