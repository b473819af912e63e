// Engine cache metadata: what a serialized plan was built from. A plan is reused only when its stored
// metadata equals the metadata of the requested build field by field; anything else (no metadata, a
// corrupt file, a different ONNX, policy, profile set, TensorRT version, GPU or plugin set) rebuilds.
// TensorRT-free: the builder fills EngineMetadata from TensorRT and the device, this file decides.
#ifndef AWML_CPP_TRT_RUNTIME_ENGINE_CACHE_H_
#define AWML_CPP_TRT_RUNTIME_ENGINE_CACHE_H_

#include <string>
#include <vector>

#include "cpp/common/status.h"
#include "cpp/trt_runtime/io_spec.h"

namespace awml::trt {

struct EngineMetadata {
  std::string onnx_sha256;
  std::string precision;             //!< PrecisionPolicyName
  std::string profiles;              //!< FormatProfiles of the requested profiles
  std::string optimization_level;    //!< builder optimisation level "0".."5", or "default"
  std::string tensorrt_version;      //!< "10.16.0"
  std::string compute_capability;    //!< "9.0"
  std::vector<std::string> plugins;  //!< "name@version" of every loaded plugin creator, sorted, no duplicates
  std::string build_mechanism;       //!< informational only: how the precision policy was realised
};

//! Canonical one-line text of a profile list ("0{in:min=[1, 4];opt=[2, 4];max=[8, 4]}|1{...}").
std::string FormatProfiles(std::vector<ProfileSpec> const& profiles);

//! "awml-engine-metadata 1" header then one key=value per line, keys in a fixed order.
std::string SerializeMetadata(EngineMetadata const& metadata);
//! Rejects a wrong header, lines without "=", and unknown, duplicated or missing keys.
StatusOr<EngineMetadata> ParseMetadata(std::string const& text);

//! Ok when `stored` may serve a request for `wanted`; otherwise a kMismatch listing every differing
//! key with both values. build_mechanism is not compared (it follows from precision + version).
Status CompareMetadata(EngineMetadata const& stored, EngineMetadata const& wanted);

struct CacheDecision {
  bool reuse = false;
  std::string reason;  //!< why the plan is reused or rebuilt, for the log
};

//! Decides for a plan at `plan_path` given whether it exists and the text of its metadata file (an
//! error status when that file could not be read).
CacheDecision DecideCache(bool plan_exists, StatusOr<std::string> const& metadata_text, EngineMetadata const& wanted);

//! `<plan>.meta` and `<plan>.layers.json`, next to the plan.
std::string MetadataPathFor(std::string const& plan_path);
std::string InspectorPathFor(std::string const& plan_path);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_ENGINE_CACHE_H_
