#include "cpp/trt_runtime/engine_builder.h"

#include <NvInfer.h>
#include <NvOnnxParser.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "cpp/trt_runtime/cuda_stream.h"
#include "cpp/trt_runtime/engine_cache.h"
#include "cpp/trt_runtime/file_io.h"
#include "cpp/trt_runtime/logging.h"
#include "cpp/trt_runtime/plugin_libraries.h"
#include "cpp/trt_runtime/sha256.h"
#include "cpp/trt_runtime/trt_logger.h"
#include "cpp/trt_runtime/trt_types.h"

namespace awml::trt {
namespace {

StatusOr<EngineMetadata> WantedMetadata(BuildConfig const& config, BuildRecipe const& recipe,
                                        std::vector<std::string> plugins) {
  EngineMetadata wanted;
  AWML_ASSIGN_OR_RETURN(wanted.onnx_sha256, Sha256File(config.onnx_path));
  wanted.precision = PrecisionPolicyName(config.precision);
  wanted.profiles = FormatProfiles(config.io.profiles);
  wanted.optimization_level =
      config.builder_optimization_level < 0 ? "default" : std::to_string(config.builder_optimization_level);
  wanted.tensorrt_version = LoadedTrtVersion().ToString();
  AWML_ASSIGN_OR_RETURN(wanted.compute_capability, CurrentComputeCapability());
  wanted.plugins = std::move(plugins);
  wanted.build_mechanism = recipe.mechanism;
  return wanted;
}

// Counts FP16 tensors over all layer outputs and names network I/O that is not float32.
Status CheckNetworkPrecision(nvinfer1::INetworkDefinition const& network, BuildRecipe const& recipe) {
  if (!recipe.requires_fp16_onnx) return OkStatus();
  int fp16_tensors = 0;
  for (int32_t l = 0; l < network.getNbLayers(); ++l) {
    nvinfer1::ILayer const* layer = network.getLayer(l);
    for (int32_t o = 0; o < layer->getNbOutputs(); ++o) {
      if (layer->getOutput(o)->getType() == nvinfer1::DataType::kHALF) ++fp16_tensors;
    }
  }
  std::string io_non_fp32;
  auto note = [&io_non_fp32](nvinfer1::ITensor const* tensor) {
    if (tensor->getType() == nvinfer1::DataType::kFLOAT) return;
    StatusOr<DataType> const dtype = FromTrtDataType(tensor->getType());
    io_non_fp32 += (io_non_fp32.empty() ? "" : ", ") + std::string(tensor->getName()) + " (" +
                   (dtype.ok() ? DataTypeName(*dtype) : "other") + ")";
  };
  for (int32_t i = 0; i < network.getNbInputs(); ++i) note(network.getInput(i));
  for (int32_t i = 0; i < network.getNbOutputs(); ++i) note(network.getOutput(i));
  return CheckFp16Onnx(recipe, fp16_tensors, io_non_fp32);
}

Status ApplyRecipe(BuildRecipe const& recipe, nvinfer1::IBuilderConfig& builder_config) {
  if (recipe.fp16_flag) {
#if NV_TENSORRT_MAJOR == 10 && NV_TENSORRT_MINOR < 12
    builder_config.setFlag(nvinfer1::BuilderFlag::kFP16);
#else
    return InternalError("precision | recipe asks for kFP16, which these TensorRT headers deprecate or lack");
#endif
  }
  if (recipe.tf32_flag) builder_config.setFlag(nvinfer1::BuilderFlag::kTF32);
  return OkStatus();
}

nvinfer1::NetworkDefinitionCreationFlags NetworkFlags(BuildRecipe const& recipe) {
  nvinfer1::NetworkDefinitionCreationFlags flags = 0;
#if NV_TENSORRT_MAJOR < 11
  if (recipe.set_strongly_typed_flag) {
    flags |= 1U << static_cast<uint32_t>(nvinfer1::NetworkDefinitionCreationFlag::kSTRONGLY_TYPED);
  }
#else
  (void)recipe;  // TensorRT 11 networks are always strongly typed; the creation flag is deprecated.
#endif
  return flags;
}

Status AddProfiles(IoSpec const& io, nvinfer1::IBuilder& builder, nvinfer1::IBuilderConfig& builder_config) {
  for (std::size_t p = 0; p < io.profiles.size(); ++p) {
    nvinfer1::IOptimizationProfile* profile = builder.createOptimizationProfile();
    if (profile == nullptr) return InternalError("builder | createOptimizationProfile failed");
    for (auto const& [name, range] : io.profiles[p].shapes) {
      AWML_ASSIGN_OR_RETURN(nvinfer1::Dims const min, ToTrtDims(range.min));
      AWML_ASSIGN_OR_RETURN(nvinfer1::Dims const opt, ToTrtDims(range.opt));
      AWML_ASSIGN_OR_RETURN(nvinfer1::Dims const max, ToTrtDims(range.max));
      bool const ok = profile->setDimensions(name.c_str(), nvinfer1::OptProfileSelector::kMIN, min) &&
                      profile->setDimensions(name.c_str(), nvinfer1::OptProfileSelector::kOPT, opt) &&
                      profile->setDimensions(name.c_str(), nvinfer1::OptProfileSelector::kMAX, max);
      if (!ok) {
        return InvalidArgumentError("builder | profile " + std::to_string(p) + " rejected for input '" + name +
                                    "' (see the TensorRT log above)");
      }
    }
    if (builder_config.addOptimizationProfile(profile) < 0) {
      return InvalidArgumentError("builder | profile " + std::to_string(p) + " is invalid (see the TensorRT log)");
    }
  }
  return OkStatus();
}

// Loads the timing cache file (or starts an empty one) into the builder config; returns the cache owner.
StatusOr<TrtPtr<nvinfer1::ITimingCache>> AttachTimingCache(std::string const& path,
                                                           nvinfer1::IBuilderConfig& builder_config) {
  std::string blob;
  if (FileExists(path)) {
    AWML_ASSIGN_OR_RETURN(blob, ReadFileBytes(path));
  }
  TrtPtr<nvinfer1::ITimingCache> cache(builder_config.createTimingCache(blob.data(), blob.size()));
  if (cache == nullptr) return InternalError("builder | cannot create a timing cache from '" + path + "'");
  if (!builder_config.setTimingCache(*cache, /*ignoreMismatch=*/false)) {
    return InternalError("builder | timing cache '" + path + "' was rejected (other TensorRT or GPU?)");
  }
  return cache;
}

Status SaveTimingCache(std::string const& path, nvinfer1::IBuilderConfig const& builder_config) {
  nvinfer1::ITimingCache const* cache = builder_config.getTimingCache();
  if (cache == nullptr) return OkStatus();
  TrtPtr<nvinfer1::IHostMemory> blob(cache->serialize());
  if (blob == nullptr) return InternalError("builder | cannot serialize the timing cache");
  return WriteFileAtomically(path, blob->data(), blob->size());
}

// Deserialises the fresh plan, checks it against the declared contract and writes the layer JSON.
Status ValidateAndInspect(BuildConfig const& config, nvinfer1::IHostMemory const& plan, std::string& layer_json) {
  TrtPtr<nvinfer1::IRuntime> runtime(nvinfer1::createInferRuntime(GlobalTrtLogger()));
  if (runtime == nullptr) return InternalError("builder | createInferRuntime failed");
  TrtPtr<nvinfer1::ICudaEngine> engine(runtime->deserializeCudaEngine(plan.data(), plan.size()));
  if (engine == nullptr) return InternalError("builder | the plan just built does not deserialize");
  AWML_ASSIGN_OR_RETURN(EngineIo const io, DescribeEngine(*engine));
  AWML_RETURN_IF_ERROR(
      ValidateEngineIo(config.io, io)
          .WithContext("built from '" + config.onnx_path + "'. Check the I/O spec of your config against the model"));
  if (!config.write_layer_json) return OkStatus();
  TrtPtr<nvinfer1::IEngineInspector> inspector(engine->createEngineInspector());
  if (inspector == nullptr) return InternalError("builder | createEngineInspector failed");
  char const* json = inspector->getEngineInformation(nvinfer1::LayerInformationFormat::kJSON);
  layer_json = InspectorPathFor(config.plan_path);
  return WriteFileAtomically(layer_json, std::string(json != nullptr ? json : "{}"));
}

StatusOr<BuildReport> Build(BuildConfig const& config, BuildRecipe const& recipe, EngineMetadata const& wanted) {
  auto const start = std::chrono::steady_clock::now();
  Log(LogSeverity::kInfo, "builder | building '" + config.plan_path + "' from '" + config.onnx_path + "' with " +
                              recipe.mechanism + " (TensorRT " + wanted.tensorrt_version + ")");
  TrtPtr<nvinfer1::IBuilder> builder(nvinfer1::createInferBuilder(GlobalTrtLogger()));
  if (builder == nullptr) return InternalError("builder | createInferBuilder failed");
  TrtPtr<nvinfer1::INetworkDefinition> network(builder->createNetworkV2(NetworkFlags(recipe)));
  if (network == nullptr) return InternalError("builder | createNetworkV2 failed");
  TrtPtr<nvonnxparser::IParser> parser(nvonnxparser::createParser(*network, GlobalTrtLogger()));
  if (parser == nullptr) return InternalError("builder | createParser failed");
  if (!parser->parseFromFile(config.onnx_path.c_str(), static_cast<int32_t>(nvinfer1::ILogger::Severity::kWARNING))) {
    std::string errors;
    for (int32_t i = 0; i < parser->getNbErrors(); ++i) errors += std::string("; ") + parser->getError(i)->desc();
    return InvalidArgumentError("builder | cannot parse '" + config.onnx_path + "'" + errors);
  }
  AWML_RETURN_IF_ERROR(CheckNetworkPrecision(*network, recipe));

  TrtPtr<nvinfer1::IBuilderConfig> builder_config(builder->createBuilderConfig());
  if (builder_config == nullptr) return InternalError("builder | createBuilderConfig failed");
  AWML_RETURN_IF_ERROR(ApplyRecipe(recipe, *builder_config));
  if (config.builder_optimization_level >= 0) {
    builder_config->setBuilderOptimizationLevel(config.builder_optimization_level);
  }
  if (config.workspace_bytes > 0) {
    builder_config->setMemoryPoolLimit(nvinfer1::MemoryPoolType::kWORKSPACE, config.workspace_bytes);
  }
  if (config.write_layer_json) builder_config->setProfilingVerbosity(nvinfer1::ProfilingVerbosity::kDETAILED);
  AWML_RETURN_IF_ERROR(AddProfiles(config.io, *builder, *builder_config));
  TrtPtr<nvinfer1::ITimingCache> timing_cache;
  if (!config.timing_cache_path.empty()) {
    AWML_ASSIGN_OR_RETURN(timing_cache, AttachTimingCache(config.timing_cache_path, *builder_config));
  }

  TrtPtr<nvinfer1::IHostMemory> plan(builder->buildSerializedNetwork(*network, *builder_config));
  if (plan == nullptr || plan->size() == 0) {
    return InternalError("builder | buildSerializedNetwork failed for '" + config.onnx_path + "' (see TensorRT log)");
  }
  BuildReport report;
  AWML_RETURN_IF_ERROR(ValidateAndInspect(config, *plan, report.layer_json_path));
  // Drop the old metadata first: a crash between the two writes must leave a plan without metadata
  // (rebuilt next time), never new plan bytes under old metadata.
  std::remove(MetadataPathFor(config.plan_path).c_str());
  AWML_RETURN_IF_ERROR(WriteFileAtomically(config.plan_path, plan->data(), plan->size()));
  if (timing_cache != nullptr) AWML_RETURN_IF_ERROR(SaveTimingCache(config.timing_cache_path, *builder_config));
  report.metadata_path = MetadataPathFor(config.plan_path);
  AWML_RETURN_IF_ERROR(WriteFileAtomically(report.metadata_path, SerializeMetadata(wanted)));
  report.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Log(LogSeverity::kInfo, "builder | wrote '" + config.plan_path + "' (" + std::to_string(plan->size()) + " bytes, " +
                              std::to_string(report.build_seconds) + " s)");
  return report;
}

}  // namespace

StatusOr<BuildReport> BuildEngine(BuildConfig const& config) {
  if (config.onnx_path.empty() || config.plan_path.empty()) {
    return InvalidArgumentError("builder | onnx_path and plan_path are required");
  }
  AWML_RETURN_IF_ERROR(ValidateIoSpec(config.io));
  if (config.builder_optimization_level < -1 || config.builder_optimization_level > 5) {
    return InvalidArgumentError("builder | builder_optimization_level. Note: expected 0..5 or -1 (default), got " +
                                std::to_string(config.builder_optimization_level));
  }
  AWML_RETURN_IF_ERROR(
      CudaStatus(cudaSetDevice(config.device_index), "builder | cuda device " + std::to_string(config.device_index)));
  AWML_ASSIGN_OR_RETURN(BuildRecipe const recipe, RecipeFor(config.precision, HeaderTrtVersion()));
  AWML_ASSIGN_OR_RETURN(std::vector<std::string> plugins, LoadPluginLibraries(config.plugin_libraries));
  AWML_ASSIGN_OR_RETURN(EngineMetadata const wanted, WantedMetadata(config, recipe, std::move(plugins)));

  CacheDecision decision{false, "rebuild forced"};
  if (!config.force_rebuild) {
    std::string const metadata_path = MetadataPathFor(config.plan_path);
    decision = DecideCache(FileExists(config.plan_path), ReadFileBytes(metadata_path), wanted);
  }
  if (decision.reuse) {
    Log(LogSeverity::kInfo, "builder | reusing '" + config.plan_path + "': " + decision.reason);
    BuildReport report;
    report.plan_path = config.plan_path;
    report.metadata_path = MetadataPathFor(config.plan_path);
    report.reused = true;
    if (FileExists(InspectorPathFor(config.plan_path))) report.layer_json_path = InspectorPathFor(config.plan_path);
    report.cache_reason = decision.reason;
    report.mechanism = recipe.mechanism;
    report.tensorrt_version = wanted.tensorrt_version;
    return report;
  }
  Log(LogSeverity::kInfo, "builder | (re)building '" + config.plan_path + "': " + decision.reason);
  AWML_ASSIGN_OR_RETURN(BuildReport report, Build(config, recipe, wanted));
  report.plan_path = config.plan_path;
  report.cache_reason = decision.reason;
  report.mechanism = recipe.mechanism;
  report.tensorrt_version = wanted.tensorrt_version;
  return report;
}

std::string LoadedTensorRtVersion() { return LoadedTrtVersion().ToString(); }

}  // namespace awml::trt
