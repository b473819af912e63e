#include "cpp/trt_runtime/centerpoint_runtime.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>

#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/decode/decode.h"
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"
#include "cpp/plugins/kernels/scatter/scatter.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"
#include "cpp/trt_runtime/head_layout.h"

#include "cpp/trt_runtime/runtime_buffer.h"

namespace awml::trt {
namespace {

Status WithStage(Status const& status, char const* stage) {
  return status.WithContext(std::string("centerpoint | ") + stage);
}

Status CheckEngine(Engine const* engine, IoSpec const& contract, char const* what) {
  if (engine == nullptr) return InvalidArgumentError(std::string("centerpoint | no ") + what + " engine");
  IoSpec expected = contract;
  // An engine without optimisation profiles (ONNX Runtime) is checked on names, dtypes and dims only.
  if (engine->io().profiles.empty()) expected.profiles.clear();
  return ValidateEngineIo(expected, EngineIo{engine->io().tensors, engine->io().profiles}).WithContext(what);
}

}  // namespace

struct CenterPointRuntime::Impl {
  CenterPointConfig config;
  CenterPointPlan plan;
  RuntimeDevice device = RuntimeDevice::kCpu;
  StreamHandle stream = nullptr;
  std::unique_ptr<Engine> first;   // encoder, or the single engine
  std::unique_ptr<Engine> second;  // head (two engines)
  int32_t pillars = 0;             // pillar count of the current frame (host copy)

  RuntimeBuffer points, pillar_points, points_per_pillar, coords, voxel_counters, voxel_workspace;
  RuntimeBuffer encoder_input, encoder_output, canvas, decoded, decode_counters, decode_workspace, scatter_workspace;
  RuntimeBuffer kept, num_kept, nms_workspace, features_state;
#if AWML_RUNTIME_WITH_CUDA
  kernels::VoxelCellMap scatter_cells;  // the voxeliser's cell map in voxel_workspace (null: scatter by coordinates)
#endif
  std::map<std::string, RuntimeBuffer> head_outputs;
  // Host side: staging for host engines on a CUDA runtime, and the results ([num_kept, voxel counters...,
  // decode counters...], kept boxes, heads).
  std::map<std::string, RuntimeBuffer> staging;
  RuntimeBuffer host_counters, host_boxes;
  std::map<std::string, RuntimeBuffer> host_heads;
#if AWML_RUNTIME_WITH_CUDA
  PinnedBuffer pinned_counters, pinned_boxes;
#endif

  bool cuda() const { return device == RuntimeDevice::kCuda; }
  int64_t HeadElements(std::string const& name) const {
    IoSpec const& io = config.mode == CenterPointMode::kTwoEngines ? plan.head_io : plan.single_io;
    return ElementCount(io.Find(name)->dims);
  }

  StatusOr<RuntimeBuffer> Make(std::size_t bytes) {
#if AWML_RUNTIME_WITH_CUDA
    if (cuda()) return RuntimeBuffer::Device(bytes, static_cast<cudaStream_t>(stream));
#endif
    return RuntimeBuffer::Host(bytes);
  }

  // Copies between the runtime's memory and host memory (enqueued on CUDA).
  Status ToHost(void* host, void const* source, std::size_t bytes) {
#if AWML_RUNTIME_WITH_CUDA
    if (cuda()) {
      return CudaStatus(cudaMemcpyAsync(host, source, bytes, cudaMemcpyDeviceToHost, static_cast<cudaStream_t>(stream)),
                        "centerpoint | copy to host");
    }
#endif
    if (bytes > 0) std::memcpy(host, source, bytes);
    return OkStatus();
  }
  Status FromHost(void* target, void const* host, std::size_t bytes) {
#if AWML_RUNTIME_WITH_CUDA
    if (cuda()) {
      return CudaStatus(cudaMemcpyAsync(target, host, bytes, cudaMemcpyHostToDevice, static_cast<cudaStream_t>(stream)),
                        "centerpoint | copy from host");
    }
#endif
    if (bytes > 0) std::memcpy(target, host, bytes);
    return OkStatus();
  }
  Status Sync() {
#if AWML_RUNTIME_WITH_CUDA
    if (cuda()) return CudaStatus(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)), "centerpoint | sync");
#endif
    return OkStatus();
  }

  Status Allocate() {
    kernels::VoxelizeConfig const& v = config.voxelize;
    std::size_t const f = sizeof(float);
    std::size_t const pillars_max = static_cast<std::size_t>(v.max_pillars);
    std::size_t const slots = pillars_max * static_cast<std::size_t>(v.max_points_per_pillar);
    AWML_ASSIGN_OR_RETURN(points, Make(static_cast<std::size_t>(config.max_points) * v.num_point_features * f));
    AWML_ASSIGN_OR_RETURN(pillar_points, Make(slots * v.num_point_features * f));
    AWML_ASSIGN_OR_RETURN(points_per_pillar, Make(pillars_max * sizeof(int32_t)));
    AWML_ASSIGN_OR_RETURN(coords, Make(pillars_max * 3 * sizeof(int32_t)));
    AWML_ASSIGN_OR_RETURN(voxel_counters, Make(kernels::kNumVoxelizeCounters * sizeof(int32_t)));
    AWML_ASSIGN_OR_RETURN(encoder_input, Make(slots * plan.encoder_features * f));
    AWML_ASSIGN_OR_RETURN(encoder_output, Make(pillars_max * config.encoder_channels * f));
    AWML_ASSIGN_OR_RETURN(canvas, Make(std::size_t{1} * config.encoder_channels * plan.grid.nx * plan.grid.ny * f));
    for (std::string const& name : plan.head_outputs) {
      AWML_ASSIGN_OR_RETURN(head_outputs[name], Make(static_cast<std::size_t>(HeadElements(name)) * f));
      if (config.return_heads) host_heads[name] = RuntimeBuffer::Host(static_cast<std::size_t>(HeadElements(name)) * f);
    }
    AWML_ASSIGN_OR_RETURN(decoded, Make(std::size_t{1} * plan.decode.top_k * kernels::kBoxFields * f));
    AWML_ASSIGN_OR_RETURN(decode_counters, Make(kernels::kNumDecodeCounters * sizeof(int32_t)));
    AWML_ASSIGN_OR_RETURN(kept, Make(std::size_t{1} * plan.nms.max_output * kernels::kBoxFields * f));
    AWML_ASSIGN_OR_RETURN(num_kept, Make(sizeof(int32_t)));
    host_counters =
        RuntimeBuffer::Host((1 + kernels::kNumVoxelizeCounters + kernels::kNumDecodeCounters) * sizeof(int32_t));
    host_boxes = RuntimeBuffer::Host(kept.size());
#if AWML_RUNTIME_WITH_CUDA
    if (cuda()) {
      std::size_t bytes = 0;
      AWML_RETURN_IF_ERROR(WithStage(kernels::VoxelizeCudaWorkspaceBytes(v, config.max_points, &bytes), "voxelize"));
      AWML_ASSIGN_OR_RETURN(voxel_workspace, Make(bytes));
      // The scatter finds this frame's pillars in the voxeliser's cell map (no pass over the coordinates) where the
      // canvas has the voxel grid, as every CenterPoint config has.
      AWML_RETURN_IF_ERROR(WithStage(
          kernels::VoxelizeCudaCellMap(v, voxel_workspace.data(), voxel_workspace.size(), &scatter_cells), "voxelize"));
      if (scatter_cells.nx != plan.scatter.grid_x || scatter_cells.ny != plan.scatter.grid_y) scatter_cells = {};
      AWML_RETURN_IF_ERROR(WithStage(kernels::DecodeCudaWorkspaceBytes(plan.decode, &bytes), "decode"));
      AWML_ASSIGN_OR_RETURN(decode_workspace, Make(bytes));
      // The sparse decoration's and scatter's states: reset once here; afterwards only PillarFeaturesSparseCuda writes
      // the encoder input and only the sparse scatter the canvas.
      AWML_RETURN_IF_ERROR(
          WithStage(kernels::PillarFeaturesSparseCudaStateBytes(plan.features, &bytes), "pillar features"));
      AWML_ASSIGN_OR_RETURN(features_state, Make(bytes));
      AWML_RETURN_IF_ERROR(
          WithStage(kernels::PillarFeaturesSparseCudaReset(plan.features, features_state.data(), bytes, stream),
                    "pillar features"));
      AWML_RETURN_IF_ERROR(WithStage(kernels::ScatterSparseCudaStateBytes(plan.scatter, &bytes), "scatter"));
      AWML_ASSIGN_OR_RETURN(scatter_workspace, Make(bytes));
      AWML_RETURN_IF_ERROR(
          WithStage(kernels::ScatterSparseCudaReset(plan.scatter, scatter_workspace.data(), bytes, stream), "scatter"));
      AWML_RETURN_IF_ERROR(WithStage(kernels::CircleNmsCudaWorkspaceBytes(plan.nms, &bytes), "circle nms"));
      AWML_ASSIGN_OR_RETURN(nms_workspace, Make(bytes));
      AWML_ASSIGN_OR_RETURN(pinned_counters, PinnedBuffer::Allocate(host_counters.size()));
      AWML_ASSIGN_OR_RETURN(pinned_boxes, PinnedBuffer::Allocate(host_boxes.size()));
    }
#endif
    return OkStatus();
  }

  // Where an engine sees a runtime buffer: the buffer itself, or its host staging copy (host engine on CUDA).
  void* Bound(Engine const& engine, std::string const& name, RuntimeBuffer const& buffer) {
    if (!cuda() || engine.location() == MemoryLocation::kDevice) return buffer.data();
    RuntimeBuffer& stage = staging[name];
    if (stage.size() < buffer.size()) stage = RuntimeBuffer::Host(buffer.size());
    return stage.data();
  }

  // Runs `engine` on named runtime buffers; `inputs` carry the bytes actually used this frame.
  Status RunEngine(Engine& engine,
                   std::vector<std::pair<std::string, std::pair<RuntimeBuffer*, std::size_t>>> const& inputs,
                   std::vector<std::pair<std::string, std::pair<RuntimeBuffer*, std::size_t>>> const& outputs) {
    bool const stage = cuda() && engine.location() == MemoryLocation::kHost;
    for (auto const& [name, io] : inputs) {
      void* address = Bound(engine, name, *io.first);
      if (stage) AWML_RETURN_IF_ERROR(ToHost(address, io.first->data(), io.second));
      AWML_RETURN_IF_ERROR(engine.SetTensorAddress(name, address));
    }
    for (auto const& [name, io] : outputs) {
      AWML_RETURN_IF_ERROR(engine.SetTensorAddress(name, Bound(engine, name, *io.first)));
    }
    if (stage) AWML_RETURN_IF_ERROR(Sync());
    AWML_RETURN_IF_ERROR(engine.Run(stream));
    if (stage) {
      for (auto const& [name, io] : outputs) {
        AWML_RETURN_IF_ERROR(FromHost(io.first->data(), staging[name].data(), io.second));
      }
    }
    return OkStatus();
  }

  std::vector<std::pair<std::string, std::pair<RuntimeBuffer*, std::size_t>>> HeadBindings() {
    std::vector<std::pair<std::string, std::pair<RuntimeBuffer*, std::size_t>>> out;
    for (auto& [name, buffer] : head_outputs) out.push_back({name, {&buffer, buffer.size()}});
    return out;
  }
};

bool CenterPointRuntime::CudaBuilt() { return AWML_RUNTIME_WITH_CUDA != 0; }

CenterPointRuntime::CenterPointRuntime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CenterPointRuntime::~CenterPointRuntime() = default;

RuntimeDevice CenterPointRuntime::device() const { return impl_->device; }
float* CenterPointRuntime::points_buffer() const { return impl_->points.as<float>(); }

StatusOr<std::unique_ptr<CenterPointRuntime>> CenterPointRuntime::Create(CenterPointConfig const& config,
                                                                         std::unique_ptr<Engine> first,
                                                                         std::unique_ptr<Engine> second,
                                                                         RuntimeDevice device, StreamHandle stream) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->device = device;
  impl->stream = stream;
  if (device == RuntimeDevice::kCuda) {
#if AWML_RUNTIME_WITH_CUDA
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
      return UnavailableError("centerpoint | device cuda needs a CUDA device. Note: expected >= 1, got 0");
    }
    if (stream == nullptr) return InvalidArgumentError("centerpoint | device cuda needs a created stream, got nullptr");
#else
    return UnavailableError("centerpoint | device cuda. Note: expected a build with CUDA, got a CPU-only build");
#endif
  }
  AWML_ASSIGN_OR_RETURN(impl->plan, PlanCenterPoint(config));
  if (config.mode == CenterPointMode::kTwoEngines) {
    AWML_RETURN_IF_ERROR(CheckEngine(first.get(), impl->plan.encoder_io, "encoder"));
    AWML_RETURN_IF_ERROR(CheckEngine(second.get(), impl->plan.head_io, "head"));
  } else {
    AWML_RETURN_IF_ERROR(CheckEngine(first.get(), impl->plan.single_io, "single"));
    if (second != nullptr) return InvalidArgumentError("centerpoint | single-engine mode takes one engine, got two");
  }
  for (Engine* engine : {first.get(), second.get()}) {
    if (engine != nullptr && engine->location() == MemoryLocation::kDevice && device == RuntimeDevice::kCpu) {
      return InvalidArgumentError("centerpoint | a device engine (TensorRT) needs device cuda. Note: got device cpu");
    }
  }
  impl->first = std::move(first);
  impl->second = std::move(second);
  AWML_RETURN_IF_ERROR(impl->Allocate());
  AWML_RETURN_IF_ERROR(impl->Sync());
  return std::unique_ptr<CenterPointRuntime>(new CenterPointRuntime(std::move(impl)));
}

Status CenterPointRuntime::Preprocess(float const* points, int64_t num_points) {
  Impl& m = *impl_;
  if (num_points < 0 || num_points > m.config.max_points) {
    return InvalidArgumentError("centerpoint | num_points out of range. Note: expected 0.." +
                                std::to_string(m.config.max_points) + ", got " + std::to_string(num_points));
  }
  kernels::VoxelizeOutputs out{m.pillar_points.as<float>(), m.points_per_pillar.as<int32_t>(), m.coords.as<int32_t>(),
                               m.voxel_counters.as<int32_t>()};
  int32_t const* count = m.voxel_counters.as<int32_t>() + kernels::kPillarCount;
#if AWML_RUNTIME_WITH_CUDA
  if (m.cuda()) {
    kernels::VoxelizeConfig voxelize = m.config.voxelize;
    voxelize.zero_unused_slots = false;  // the feature decoration never reads the unused slots
    AWML_RETURN_IF_ERROR(WithStage(kernels::VoxelizeCuda(voxelize, points, num_points, out, m.voxel_workspace.data(),
                                                         m.voxel_workspace.size(), m.stream),
                                   "voxelize"));
    return WithStage(kernels::PillarFeaturesSparseCuda(m.plan.features, m.pillar_points.as<float>(),
                                                       m.points_per_pillar.as<int32_t>(), m.coords.as<int32_t>(), count,
                                                       m.encoder_input.as<float>(), m.features_state.data(),
                                                       m.features_state.size(), m.stream),
                     "pillar features");
  }
#endif
  AWML_RETURN_IF_ERROR(WithStage(kernels::VoxelizeCpu(m.config.voxelize, points, num_points, out), "voxelize"));
  return WithStage(
      kernels::PillarFeaturesCpu(m.plan.features, m.pillar_points.as<float>(), m.points_per_pillar.as<int32_t>(),
                                 m.coords.as<int32_t>(), count, m.encoder_input.as<float>()),
      "pillar features");
}

Status CenterPointRuntime::RunNetwork() {
  Impl& m = *impl_;
  AWML_RETURN_IF_ERROR(m.ToHost(&m.pillars, m.voxel_counters.as<int32_t>() + kernels::kPillarCount, sizeof(int32_t)));
  AWML_RETURN_IF_ERROR(m.Sync());
  int64_t const n = m.pillars;
  int const points_per_pillar = m.config.voxelize.max_points_per_pillar;
  std::size_t const input_bytes = static_cast<std::size_t>(n) * points_per_pillar * m.plan.encoder_features * 4;
  CenterPointTensorNames const& names = m.config.names;
  if (m.config.mode == CenterPointMode::kSingleEngine) {
    if (n == 0) return FailedPreconditionError("centerpoint | single engine: a frame without pillars");
    AWML_RETURN_IF_ERROR(m.first->SetInputShape(names.encoder_input, {n, points_per_pillar, m.plan.encoder_features}));
    AWML_RETURN_IF_ERROR(m.first->SetInputShape(names.coords, {n, 3}));
    return m.RunEngine(*m.first,
                       {{names.encoder_input, {&m.encoder_input, input_bytes}},
                        {names.coords, {&m.coords, static_cast<std::size_t>(n) * 3 * sizeof(int32_t)}},
                        {names.num_pillars, {&m.voxel_counters, sizeof(int32_t)}}},
                       m.HeadBindings());
  }
  if (n > 0) {  // a frame without pillars skips the encoder (no profile admits 0) and scatters nothing
    AWML_RETURN_IF_ERROR(m.first->SetInputShape(names.encoder_input, {n, points_per_pillar, m.plan.encoder_features}));
    AWML_RETURN_IF_ERROR(m.RunEngine(
        *m.first, {{names.encoder_input, {&m.encoder_input, input_bytes}}},
        {{names.encoder_output, {&m.encoder_output, static_cast<std::size_t>(n) * m.config.encoder_channels * 4}}}));
  }
  int32_t const* count = m.voxel_counters.as<int32_t>() + kernels::kPillarCount;
#if AWML_RUNTIME_WITH_CUDA
  if (m.cuda()) {
    AWML_RETURN_IF_ERROR(
        WithStage(m.scatter_cells.cell_pillar != nullptr
                      ? kernels::ScatterSparseCellsCuda(m.plan.scatter, m.encoder_output.as<float>(), m.scatter_cells,
                                                        count, m.canvas.as<float>(), m.scatter_workspace.data(),
                                                        m.scatter_workspace.size(), m.stream)
                      : kernels::ScatterSparseCuda(m.plan.scatter, m.encoder_output.as<float>(), m.coords.as<int32_t>(),
                                                   count, m.canvas.as<float>(), m.scatter_workspace.data(),
                                                   m.scatter_workspace.size(), m.stream),
                  "scatter"));
  } else
#endif
  {
    AWML_RETURN_IF_ERROR(WithStage(kernels::ScatterCpu(m.plan.scatter, m.encoder_output.as<float>(),
                                                       m.coords.as<int32_t>(), count, m.canvas.as<float>()),
                                   "scatter"));
  }
  return m.RunEngine(*m.second, {{names.head_input, {&m.canvas, m.canvas.size()}}}, m.HeadBindings());
}

Status CenterPointRuntime::Postprocess() {
  Impl& m = *impl_;
  CenterPointTensorNames const& n = m.config.names;
  int64_t const plane = int64_t{m.plan.head_x} * m.plan.head_y;
  float* dim = m.head_outputs.at(n.dim).as<float>();
  float* rot = m.head_outputs.at(n.rot).as<float>();
  kernels::HeadTensors heads;
  heads.heatmap = m.head_outputs.at(n.heatmap).as<float>();
  heads.reg = m.head_outputs.at(n.reg).as<float>();
  heads.height = m.head_outputs.at(n.height).as<float>();
  heads.dim = dim;
  heads.rot = rot;
  heads.vel = m.config.has_velocity ? m.head_outputs.at(n.vel).as<float>() : nullptr;
  kernels::DecodeOutputs out{m.decoded.as<float>(), m.decode_counters.as<int32_t>()};
  int32_t const* num_boxes = m.decode_counters.as<int32_t>() + kernels::kNumBoxes;
#if AWML_RUNTIME_WITH_CUDA
  if (m.cuda()) {
    if (m.config.rot_y_axis_reference) {
      AWML_RETURN_IF_ERROR(WithStage(HeadFromYAxisCuda(dim, rot, plane, m.stream), "head layout"));
    }
    AWML_RETURN_IF_ERROR(WithStage(
        kernels::DecodeCuda(m.plan.decode, heads, out, m.decode_workspace.data(), m.decode_workspace.size(), m.stream),
        "decode"));
    AWML_RETURN_IF_ERROR(WithStage(
        kernels::CircleNmsCuda(m.plan.nms, m.decoded.as<float>(), num_boxes, m.kept.as<float>(),
                               m.num_kept.as<int32_t>(), m.nms_workspace.data(), m.nms_workspace.size(), m.stream),
        "circle nms"));
  } else
#endif
  {
    if (m.config.rot_y_axis_reference)
      AWML_RETURN_IF_ERROR(WithStage(HeadFromYAxisCpu(dim, rot, plane), "head layout"));
    AWML_RETURN_IF_ERROR(WithStage(kernels::DecodeCpu(m.plan.decode, heads, out), "decode"));
    AWML_RETURN_IF_ERROR(WithStage(kernels::CircleNmsCpu(m.plan.nms, m.decoded.as<float>(), num_boxes,
                                                         m.kept.as<float>(), m.num_kept.as<int32_t>()),
                                   "circle nms"));
  }
  char* counters = m.host_counters.as<char>();
  char* boxes = m.host_boxes.as<char>();
#if AWML_RUNTIME_WITH_CUDA
  if (m.cuda()) {  // pinned memory: truly asynchronous copies; Download moves them to the host buffers
    counters = m.pinned_counters.as<char>();
    boxes = m.pinned_boxes.as<char>();
  }
#endif
  AWML_RETURN_IF_ERROR(m.ToHost(counters, m.num_kept.data(), sizeof(int32_t)));
  AWML_RETURN_IF_ERROR(m.ToHost(counters + sizeof(int32_t), m.voxel_counters.data(), m.voxel_counters.size()));
  AWML_RETURN_IF_ERROR(m.ToHost(counters + sizeof(int32_t) + m.voxel_counters.size(), m.decode_counters.data(),
                                m.decode_counters.size()));
  // The whole (bounded) box buffer: one async copy instead of a count round-trip through the host.
  AWML_RETURN_IF_ERROR(m.ToHost(boxes, m.kept.data(), m.kept.size()));
  for (auto& [name, host] : m.host_heads) {
    AWML_RETURN_IF_ERROR(m.ToHost(host.data(), m.head_outputs.at(name).data(), host.size()));
  }
  return OkStatus();
}

StatusOr<CenterPointDetections> CenterPointRuntime::Download() {
  Impl& m = *impl_;
  AWML_RETURN_IF_ERROR(m.Sync());
#if AWML_RUNTIME_WITH_CUDA
  if (m.cuda()) {
    std::memcpy(m.host_counters.data(), m.pinned_counters.data(), m.host_counters.size());
    std::memcpy(m.host_boxes.data(), m.pinned_boxes.data(), m.host_boxes.size());
  }
#endif
  int32_t const* counters = m.host_counters.as<int32_t>();
  int32_t const* voxel = counters + 1;
  int32_t const* decode = voxel + kernels::kNumVoxelizeCounters;
  CenterPointDetections detections;
  detections.num_pillars = voxel[kernels::kPillarCount];
  detections.pillars_dropped = voxel[kernels::kPillarsDropped];
  detections.points_out_of_range = voxel[kernels::kPointsOutOfRange];
  detections.candidates_dropped = decode[kernels::kCandidatesDropped];
  int32_t const kept = std::min(std::max(counters[0], 0), m.plan.nms.max_output);
  float const* boxes = m.host_boxes.as<float>();
  detections.boxes.resize(static_cast<std::size_t>(kept));
  for (int32_t i = 0; i < kept; ++i) {
    std::copy(boxes + i * kernels::kBoxFields, boxes + (i + 1) * kernels::kBoxFields, detections.boxes[i].begin());
  }
  for (auto const& [name, host] : m.host_heads) {
    float const* data = host.as<float>();
    detections.heads[name].assign(data, data + host.size() / sizeof(float));
  }
  return detections;
}

Status CenterPointRuntime::CopyPoints(float const* host_points, int64_t num_points) {
  Impl& m = *impl_;
  if (num_points < 0 || num_points > m.config.max_points) {
    return InvalidArgumentError("centerpoint | num_points out of range. Note: expected 0.." +
                                std::to_string(m.config.max_points) + ", got " + std::to_string(num_points));
  }
  std::size_t const bytes = static_cast<std::size_t>(num_points) * m.config.voxelize.num_point_features * sizeof(float);
  return m.FromHost(m.points.data(), host_points, bytes);
}

StatusOr<CenterPointDetections> CenterPointRuntime::Detect(float const* host_points, int64_t num_points) {
  Impl& m = *impl_;
  AWML_RETURN_IF_ERROR(CopyPoints(host_points, num_points));
  AWML_RETURN_IF_ERROR(Preprocess(m.points.as<float>(), num_points));
  AWML_RETURN_IF_ERROR(RunNetwork());
  AWML_RETURN_IF_ERROR(Postprocess());
  return Download();
}

}  // namespace awml::trt
