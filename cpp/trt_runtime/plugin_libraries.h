// Loading plugin libraries by path. A library must export TensorRT's loadable-library entry points
// (`getCreators`, `setLoggerFinder`); it is registered through IPluginRegistry::loadLibrary so the same
// path works for the builder, the runtime and trtexec --dynamicPlugins.
#ifndef AWML_CPP_TRT_RUNTIME_PLUGIN_LIBRARIES_H_
#define AWML_CPP_TRT_RUNTIME_PLUGIN_LIBRARIES_H_

#include <string>
#include <vector>

#include "cpp/common/status.h"

namespace awml::trt {

//! Loads each library once per process (later calls with the same path are no-ops) and returns
//! "name@version" for every IPluginCreatorV3One it exports (namespaced ones as "ns::name@version"),
//! sorted; this list goes into the engine cache metadata.
StatusOr<std::vector<std::string>> LoadPluginLibraries(std::vector<std::string> const& paths);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_PLUGIN_LIBRARIES_H_
