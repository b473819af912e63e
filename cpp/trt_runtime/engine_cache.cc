#include "cpp/trt_runtime/engine_cache.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace awml::trt {
namespace {

constexpr char kHeader[] = "awml-engine-metadata 1";

std::string JoinPlugins(std::vector<std::string> plugins) {
  std::sort(plugins.begin(), plugins.end());
  plugins.erase(std::unique(plugins.begin(), plugins.end()), plugins.end());
  std::string out;
  for (std::string const& plugin : plugins) out += (out.empty() ? "" : ",") + plugin;
  return out;
}

std::vector<std::string> SplitPlugins(std::string const& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// The compared keys, in serialisation order, with accessors into EngineMetadata.
std::vector<std::pair<std::string, std::string>> KeyValues(EngineMetadata const& m) {
  return {{"onnx_sha256", m.onnx_sha256},
          {"precision", m.precision},
          {"profiles", m.profiles},
          {"optimization_level", m.optimization_level},
          {"tensorrt_version", m.tensorrt_version},
          {"compute_capability", m.compute_capability},
          {"plugins", JoinPlugins(m.plugins)}};
}

}  // namespace

std::string FormatProfiles(std::vector<ProfileSpec> const& profiles) {
  std::string out;
  for (std::size_t p = 0; p < profiles.size(); ++p) {
    out += (p ? "|" : "") + std::to_string(p) + "{";
    bool first = true;
    for (auto const& [name, range] : profiles[p].shapes) {
      out += (first ? "" : ";") + name + ":min=" + FormatDims(range.min) + ",opt=" + FormatDims(range.opt) +
             ",max=" + FormatDims(range.max);
      first = false;
    }
    out += "}";
  }
  return out;
}

std::string SerializeMetadata(EngineMetadata const& metadata) {
  std::string out = std::string(kHeader) + "\n";
  for (auto const& [key, value] : KeyValues(metadata)) out += key + "=" + value + "\n";
  out += "build_mechanism=" + metadata.build_mechanism + "\n";
  return out;
}

StatusOr<EngineMetadata> ParseMetadata(std::string const& text) {
  std::stringstream stream(text);
  std::string line;
  if (!std::getline(stream, line) || line != kHeader) {
    return InvalidArgumentError("engine metadata | bad header. Note: expected '" + std::string(kHeader) + "', got '" +
                                line + "'");
  }
  std::map<std::string, std::string> values;
  while (std::getline(stream, line)) {
    if (line.empty()) continue;
    std::size_t const eq = line.find('=');
    if (eq == std::string::npos) return InvalidArgumentError("engine metadata | line without '=': '" + line + "'");
    std::string const key = line.substr(0, eq);
    if (!values.emplace(key, line.substr(eq + 1)).second) {
      return InvalidArgumentError("engine metadata | duplicated key '" + key + "'");
    }
  }
  std::set<std::string> known = {"build_mechanism"};
  for (auto const& [key, unused] : KeyValues(EngineMetadata{})) known.insert(key);
  for (auto const& [key, unused] : values) {
    if (known.count(key) == 0) return InvalidArgumentError("engine metadata | unknown key '" + key + "'");
  }
  for (std::string const& key : known) {
    if (values.count(key) == 0) return InvalidArgumentError("engine metadata | missing key '" + key + "'");
  }
  EngineMetadata metadata;
  metadata.onnx_sha256 = values["onnx_sha256"];
  metadata.precision = values["precision"];
  metadata.profiles = values["profiles"];
  metadata.optimization_level = values["optimization_level"];
  metadata.tensorrt_version = values["tensorrt_version"];
  metadata.compute_capability = values["compute_capability"];
  metadata.plugins = SplitPlugins(values["plugins"]);
  metadata.build_mechanism = values["build_mechanism"];
  return metadata;
}

Status CompareMetadata(EngineMetadata const& stored, EngineMetadata const& wanted) {
  auto const stored_values = KeyValues(stored);
  auto const wanted_values = KeyValues(wanted);
  std::string diffs;
  for (std::size_t i = 0; i < stored_values.size(); ++i) {
    if (stored_values[i].second != wanted_values[i].second) {
      diffs += (diffs.empty() ? "" : "; ") + stored_values[i].first + " (cached '" + stored_values[i].second +
               "', wanted '" + wanted_values[i].second + "')";
    }
  }
  if (diffs.empty()) return OkStatus();
  return MismatchError("engine cache | stale plan: " + diffs);
}

CacheDecision DecideCache(bool plan_exists, StatusOr<std::string> const& metadata_text, EngineMetadata const& wanted) {
  if (!plan_exists) return {false, "no cached plan"};
  if (!metadata_text.ok()) return {false, "cached plan has no readable metadata: " + metadata_text.status().message()};
  StatusOr<EngineMetadata> stored = ParseMetadata(*metadata_text);
  if (!stored.ok()) return {false, "cached metadata unusable: " + stored.status().message()};
  Status const same = CompareMetadata(*stored, wanted);
  if (!same.ok()) return {false, same.message()};
  return {true, "cached plan matches (onnx " + wanted.onnx_sha256.substr(0, 12) + ", " + wanted.precision +
                    ", TensorRT " + wanted.tensorrt_version + ", sm " + wanted.compute_capability + ")"};
}

std::string MetadataPathFor(std::string const& plan_path) { return plan_path + ".meta"; }
std::string InspectorPathFor(std::string const& plan_path) { return plan_path + ".layers.json"; }

}  // namespace awml::trt
