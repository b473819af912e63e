#include "cpp/trt_runtime/engine_runner.h"

#include <NvInferRuntime.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "cpp/trt_runtime/cuda_stream.h"
#include "cpp/trt_runtime/file_io.h"
#include "cpp/trt_runtime/logging.h"
#include "cpp/trt_runtime/plugin_libraries.h"
#include "cpp/trt_runtime/trt_logger.h"
#include "cpp/trt_runtime/trt_types.h"

namespace awml::trt {
namespace {

class LayerProfiler final : public nvinfer1::IProfiler {
 public:
  void reportLayerTime(char const* layerName, float ms) noexcept override {
    try {
      std::lock_guard<std::mutex> lock(mutex_);
      LayerTime& entry = times_[layerName != nullptr ? layerName : "?"];
      entry.total_ms += ms;
      entry.calls += 1;
    } catch (...) {
      // Never throw into TensorRT.
    }
  }

  std::vector<LayerTime> Snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<LayerTime> out;
    for (auto const& [name, time] : times_) out.push_back({name, time.total_ms, time.calls});
    std::sort(out.begin(), out.end(), [](LayerTime const& a, LayerTime const& b) { return a.total_ms > b.total_ms; });
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, LayerTime> times_;
};

struct GraphDeleter {
  void operator()(cudaGraphExec_t exec) const { cudaGraphExecDestroy(exec); }
};
using GraphExecPtr = std::unique_ptr<std::remove_pointer_t<cudaGraphExec_t>, GraphDeleter>;

}  // namespace

struct EngineRunner::Impl {
  RunnerOptions options;
  TrtPtr<nvinfer1::IRuntime> runtime;
  TrtPtr<nvinfer1::ICudaEngine> engine;
  TrtPtr<nvinfer1::IExecutionContext> context;
  std::unique_ptr<LayerProfiler> profiler;
  std::map<std::string, void*> addresses;
  std::map<std::string, Dims> input_shapes;
  GraphExecPtr graph;

  ShapeRange const* RangeFor(std::string const& name) const {
    if (options.io.profiles.empty()) return nullptr;
    auto const& shapes = options.io.profiles[static_cast<std::size_t>(options.profile_index)].shapes;
    auto it = shapes.find(name);
    return it == shapes.end() ? nullptr : &it->second;
  }

  Status CheckReady() const {
    for (TensorSpec const& tensor : options.io.tensors) {
      if (addresses.count(tensor.name) == 0) {
        return FailedPreconditionError("runner | tensor '" + tensor.name +
                                       "' has no address. Note: call "
                                       "SetTensorAddress for every declared tensor before Enqueue");
      }
      bool const dynamic = ElementCount(tensor.dims) < 0;
      if (tensor.role == TensorRole::kInput && dynamic && input_shapes.count(tensor.name) == 0) {
        return FailedPreconditionError("runner | dynamic input '" + tensor.name + "' " + FormatDims(tensor.dims) +
                                       " has no shape. Note: call SetInputShape first");
      }
    }
    return OkStatus();
  }

  Status EnqueueDirect(cudaStream_t stream) {
    if (!context->enqueueV3(stream)) return InternalError("runner | enqueueV3 failed (see the TensorRT log)");
    return CudaStatus(cudaGetLastError(), "runner | after enqueueV3");
  }
};

EngineRunner::EngineRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EngineRunner::~EngineRunner() = default;

StatusOr<std::unique_ptr<EngineRunner>> EngineRunner::Create(RunnerOptions const& options) {
  AWML_RETURN_IF_ERROR(ValidateIoSpec(options.io));
  std::size_t const num_profiles = std::max<std::size_t>(options.io.profiles.size(), 1);
  if (options.profile_index < 0 || static_cast<std::size_t>(options.profile_index) >= num_profiles) {
    return InvalidArgumentError("runner | profile_index " + std::to_string(options.profile_index) +
                                " out of range. Note: expected 0.." + std::to_string(num_profiles - 1));
  }
  AWML_RETURN_IF_ERROR(LoadPluginLibraries(options.plugin_libraries).status());
  AWML_ASSIGN_OR_RETURN(std::string const plan, ReadFileBytes(options.plan_path));

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->runtime.reset(nvinfer1::createInferRuntime(GlobalTrtLogger()));
  if (impl->runtime == nullptr) return InternalError("runner | createInferRuntime failed");
  impl->engine.reset(impl->runtime->deserializeCudaEngine(plan.data(), plan.size()));
  if (impl->engine == nullptr) {
    return MismatchError("runner | cannot deserialize '" + options.plan_path +
                         "'. Note: a plan only loads on the TensorRT version and GPU that built it; rebuild it");
  }
  AWML_ASSIGN_OR_RETURN(EngineIo const engine_io, DescribeEngine(*impl->engine));
  AWML_RETURN_IF_ERROR(ValidateEngineIo(options.io, engine_io).WithContext("plan '" + options.plan_path + "'"));
  impl->context.reset(impl->engine->createExecutionContext());
  if (impl->context == nullptr) return InternalError("runner | createExecutionContext failed");
  if (options.profile_index != 0) {
    // Selected once at setup (input shapes are checked against the active profile), on a private stream.
    AWML_ASSIGN_OR_RETURN(CudaStream const setup_stream, CudaStream::Create());
    if (!impl->context->setOptimizationProfileAsync(options.profile_index, setup_stream.get())) {
      return InternalError("runner | setOptimizationProfileAsync(" + std::to_string(options.profile_index) +
                           ") failed");
    }
    AWML_RETURN_IF_ERROR(setup_stream.Synchronize());
  }
  if (options.per_layer_profiling) {
    impl->profiler = std::make_unique<LayerProfiler>();
    impl->context->setProfiler(impl->profiler.get());
  }
  return std::unique_ptr<EngineRunner>(new EngineRunner(std::move(impl)));
}

IoSpec const& EngineRunner::io() const { return impl_->options.io; }

Status EngineRunner::SetInputShape(std::string const& name, Dims const& dims) {
  TensorSpec const* tensor = impl_->options.io.Find(name);
  if (tensor == nullptr) return NotFoundError("runner | no declared tensor named '" + name + "'");
  AWML_RETURN_IF_ERROR(ValidateInputShape(*tensor, impl_->RangeFor(name), dims));
  auto it = impl_->input_shapes.find(name);
  if (it != impl_->input_shapes.end() && it->second == dims) return OkStatus();
  AWML_ASSIGN_OR_RETURN(nvinfer1::Dims const trt_dims, ToTrtDims(dims));
  if (!impl_->context->setInputShape(name.c_str(), trt_dims)) {
    return InvalidArgumentError("runner | TensorRT rejected shape " + FormatDims(dims) + " for '" + name + "'");
  }
  impl_->input_shapes[name] = dims;
  impl_->graph.reset();  // a captured graph bakes in the shapes
  return OkStatus();
}

Status EngineRunner::SetTensorAddress(std::string const& name, void* address) {
  if (impl_->options.io.Find(name) == nullptr) return NotFoundError("runner | no declared tensor named '" + name + "'");
  if (address == nullptr) return InvalidArgumentError("runner | null address for tensor '" + name + "'");
  auto it = impl_->addresses.find(name);
  if (it != impl_->addresses.end() && it->second == address) return OkStatus();
  if (!impl_->context->setTensorAddress(name.c_str(), address)) {
    return InvalidArgumentError("runner | TensorRT rejected the address for '" + name + "' (alignment?)");
  }
  impl_->addresses[name] = address;
  impl_->graph.reset();  // a captured graph bakes in the addresses
  return OkStatus();
}

StatusOr<Dims> EngineRunner::TensorShape(std::string const& name) const {
  if (impl_->options.io.Find(name) == nullptr) return NotFoundError("runner | no declared tensor named '" + name + "'");
  Dims const dims = FromTrtDims(impl_->context->getTensorShape(name.c_str()));
  if (ElementCount(dims) < 0) {
    return FailedPreconditionError("runner | shape of '" + name + "' is not resolved yet: " + FormatDims(dims) +
                                   ". Note: set every dynamic input shape first");
  }
  return dims;
}

Status EngineRunner::Enqueue(cudaStream_t stream) {
  AWML_RETURN_IF_ERROR(impl_->CheckReady());
  if (impl_->graph != nullptr) {
    return CudaStatus(cudaGraphLaunch(impl_->graph.get(), stream), "runner | cudaGraphLaunch");
  }
  return impl_->EnqueueDirect(stream);
}

Status EngineRunner::CaptureGraph(cudaStream_t stream) {
  if (impl_->profiler != nullptr) {
    return FailedPreconditionError("runner | CUDA graph capture is unavailable with per-layer profiling");
  }
  if (stream == nullptr) return InvalidArgumentError("runner | CUDA graph capture needs a created stream, not nullptr");
  AWML_RETURN_IF_ERROR(impl_->CheckReady());
  impl_->graph.reset();
  // Warm-up: lets TensorRT do its lazy first-run work (allocations, shape inference) outside the capture.
  AWML_RETURN_IF_ERROR(impl_->EnqueueDirect(stream));
  AWML_RETURN_IF_ERROR(CudaStatus(cudaStreamSynchronize(stream), "runner | warm-up sync"));
  AWML_RETURN_IF_ERROR(
      CudaStatus(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "runner | cudaStreamBeginCapture"));
  bool const enqueued = impl_->context->enqueueV3(stream);
  cudaGraph_t graph = nullptr;
  Status const ended = CudaStatus(cudaStreamEndCapture(stream, &graph), "runner | cudaStreamEndCapture");
  if (!enqueued || !ended.ok()) {
    if (graph != nullptr) cudaGraphDestroy(graph);
    return enqueued ? ended : InternalError("runner | enqueueV3 failed during graph capture");
  }
  cudaGraphExec_t exec = nullptr;
  Status const instantiated = CudaStatus(cudaGraphInstantiate(&exec, graph, 0), "runner | cudaGraphInstantiate");
  cudaGraphDestroy(graph);
  AWML_RETURN_IF_ERROR(instantiated);
  impl_->graph.reset(exec);
  Log(LogSeverity::kInfo, "runner | captured a CUDA graph for '" + impl_->options.plan_path + "'");
  return OkStatus();
}

bool EngineRunner::HasGraph() const { return impl_->graph != nullptr; }

std::vector<LayerTime> EngineRunner::LayerTimes() const {
  if (impl_->profiler == nullptr) return {};
  return impl_->profiler->Snapshot();
}

}  // namespace awml::trt
