// The loadable-library entry points of libawml_plugins.so, and nothing else exported: TensorRT's
// IPluginRegistry::loadLibrary (and trtexec --dynamicPlugins) call getCreators and setLoggerFinder.
// One registration mechanism only; the creator count comes from the array itself.
#include <NvInferRuntime.h>

#include <iterator>

#include "cpp/plugins/trt/plugin_logger.h"
#include "cpp/plugins/trt/scatter/scatter_creator.h"

namespace {

nvinfer1::IPluginCreatorInterface* const* Creators(int32_t& count) {
  static awml::plugins::ScatterPluginCreator scatter;
  static nvinfer1::IPluginCreatorInterface* const creators[] = {&scatter};
  count = static_cast<int32_t>(std::size(creators));
  return creators;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) void setLoggerFinder(nvinfer1::ILoggerFinder* finder) {
  awml::plugins::SetPluginLoggerFinder(finder);
}

__attribute__((visibility("default"))) nvinfer1::IPluginCreatorInterface* const* getCreators(int32_t& nbCreators) {
  return Creators(nbCreators);
}

}  // extern "C"
