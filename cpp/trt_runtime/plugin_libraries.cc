#include "cpp/trt_runtime/plugin_libraries.h"

#include <dlfcn.h>

#include <NvInferRuntime.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include "cpp/trt_runtime/logging.h"

namespace awml::trt {
namespace {

using GetCreatorsFn = nvinfer1::IPluginCreatorInterface* const* (*)(int32_t&);

// Lists the V3One creators a library exports, without registering anything.
StatusOr<std::vector<std::string>> ListCreators(std::string const& path) {
  void* handle = ::dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (handle == nullptr) {
    char const* error = ::dlerror();
    return NotFoundError("plugin library | cannot load '" + path + "': " + (error != nullptr ? error : "unknown"));
  }
  auto get_creators = reinterpret_cast<GetCreatorsFn>(::dlsym(handle, "getCreators"));
  if (get_creators == nullptr) {
    ::dlclose(handle);
    return InvalidArgumentError("plugin library | '" + path +
                                "' exports no getCreators. Note: expected a TensorRT loadable plugin library");
  }
  int32_t count = 0;
  nvinfer1::IPluginCreatorInterface* const* creators = get_creators(count);
  std::vector<std::string> ids;
  for (int32_t i = 0; i < count && creators != nullptr; ++i) {
    if (creators[i] == nullptr) continue;
    nvinfer1::InterfaceInfo const info = creators[i]->getInterfaceInfo();
    if (std::strcmp(info.kind, "PLUGIN CREATOR_V3ONE") != 0) {
      Log(LogSeverity::kWarning, std::string("plugin library | '") + path + "' exports a '" + info.kind +
                                     "' creator; only IPluginCreatorV3One is supported and versioned");
      continue;
    }
    auto* creator = static_cast<nvinfer1::IPluginCreatorV3One*>(creators[i]);
    std::string const ns = creator->getPluginNamespace();
    ids.push_back((ns.empty() ? "" : ns + "::") + creator->getPluginName() + "@" + creator->getPluginVersion());
  }
  ::dlclose(handle);  // the registry keeps its own reference below
  return ids;
}

}  // namespace

StatusOr<std::vector<std::string>> LoadPluginLibraries(std::vector<std::string> const& paths) {
  static std::mutex mutex;
  static std::map<std::string, std::vector<std::string>> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  std::vector<std::string> all;
  for (std::string const& path : paths) {
    auto it = loaded.find(path);
    if (it == loaded.end()) {
      AWML_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListCreators(path));
      nvinfer1::IPluginRegistry* registry = getPluginRegistry();
      if (registry == nullptr || registry->loadLibrary(path.c_str()) == nullptr) {
        return InternalError("plugin library | TensorRT could not register '" + path + "'");
      }
      std::string joined;
      for (std::string const& id : ids) joined += (joined.empty() ? "" : ", ") + id;
      Log(LogSeverity::kInfo, "plugin library | loaded '" + path + "': " + joined);
      it = loaded.emplace(path, std::move(ids)).first;
    }
    all.insert(all.end(), it->second.begin(), it->second.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

}  // namespace awml::trt
