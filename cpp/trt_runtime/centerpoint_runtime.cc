#include "cpp/trt_runtime/centerpoint_runtime.h"

#include <algorithm>
#include <map>
#include <string>

#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/decode/decode.h"
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"
#include "cpp/plugins/kernels/scatter/scatter.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"
#include "cpp/trt_runtime/cuda_buffer.h"
#include "cpp/trt_runtime/cuda_stream.h"
#include "cpp/trt_runtime/engine_runner.h"

namespace awml::trt {
namespace {

StatusOr<DeviceBuffer> AllocateFloats(int64_t count, cudaStream_t stream) {
  return DeviceBuffer::Allocate(static_cast<std::size_t>(count) * sizeof(float), stream);
}

// One device buffer per head output tensor, by name.
StatusOr<std::map<std::string, DeviceBuffer>> AllocateOutputs(IoSpec const& io, cudaStream_t stream) {
  std::map<std::string, DeviceBuffer> buffers;
  for (TensorSpec const& tensor : io.tensors) {
    if (tensor.role != TensorRole::kOutput) continue;
    AWML_ASSIGN_OR_RETURN(DeviceBuffer buffer, AllocateFloats(ElementCount(tensor.dims), stream));
    buffers.emplace(tensor.name, std::move(buffer));
  }
  return buffers;
}

StatusOr<std::unique_ptr<EngineRunner>> OpenEngine(std::string const& plan, IoSpec const& io,
                                                   std::vector<std::string> const& plugins) {
  RunnerOptions options;
  options.plan_path = plan;
  options.io = io;
  options.plugin_libraries = plugins;
  return EngineRunner::Create(options);
}

}  // namespace

struct CenterPointRuntime::Impl {
  CenterPointConfig config;
  CenterPointPlan plan;
  cudaStream_t stream = nullptr;
  std::unique_ptr<EngineRunner> encoder;  // kTwoEngines
  std::unique_ptr<EngineRunner> head;     // kTwoEngines
  std::unique_ptr<EngineRunner> single;   // kSingleEngine
  bool graphs_captured = false;

  // Persistent device buffers (declared after `stream`; freed on it).
  DeviceBuffer points;
  DeviceBuffer pillar_points;
  DeviceBuffer points_per_pillar;
  DeviceBuffer coords;
  DeviceBuffer voxel_counters;
  DeviceBuffer voxel_workspace;
  DeviceBuffer encoder_input;
  DeviceBuffer encoder_output;
  DeviceBuffer canvas;
  std::map<std::string, DeviceBuffer> head_outputs;
  DeviceBuffer decoded;
  DeviceBuffer decode_counters;
  DeviceBuffer decode_workspace;
  DeviceBuffer kept;
  DeviceBuffer num_kept;
  DeviceBuffer nms_workspace;
  // Pinned results: [num_kept, voxel counters..., decode counters...] and the kept boxes.
  PinnedBuffer host_counters;
  PinnedBuffer host_boxes;

  EngineRunner& HeadEngine() { return config.mode == CenterPointMode::kTwoEngines ? *head : *single; }

  Status Allocate() {
    kernels::VoxelizeConfig const& v = config.voxelize;
    int64_t const pillars = v.max_pillars;
    int64_t const slots = pillars * v.max_points_per_pillar;
    AWML_ASSIGN_OR_RETURN(points, AllocateFloats(config.max_points * v.num_point_features, stream));
    AWML_ASSIGN_OR_RETURN(pillar_points, AllocateFloats(slots * v.num_point_features, stream));
    AWML_ASSIGN_OR_RETURN(points_per_pillar, DeviceBuffer::Allocate(pillars * sizeof(int32_t), stream));
    AWML_ASSIGN_OR_RETURN(coords, DeviceBuffer::Allocate(pillars * 3 * sizeof(int32_t), stream));
    AWML_ASSIGN_OR_RETURN(voxel_counters,
                          DeviceBuffer::Allocate(kernels::kNumVoxelizeCounters * sizeof(int32_t), stream));
    std::size_t bytes = 0;
    AWML_RETURN_IF_ERROR(
        kernels::VoxelizeCudaWorkspaceBytes(v, config.max_points, &bytes).WithContext("centerpoint | voxelize"));
    AWML_ASSIGN_OR_RETURN(voxel_workspace, DeviceBuffer::Allocate(bytes, stream));
    AWML_ASSIGN_OR_RETURN(encoder_input, AllocateFloats(slots * plan.encoder_features, stream));
    if (config.mode == CenterPointMode::kTwoEngines) {
      AWML_ASSIGN_OR_RETURN(encoder_output, AllocateFloats(pillars * config.encoder_channels, stream));
      AWML_ASSIGN_OR_RETURN(canvas,
                            AllocateFloats(int64_t{config.encoder_channels} * plan.grid.nx * plan.grid.ny, stream));
      AWML_ASSIGN_OR_RETURN(head_outputs, AllocateOutputs(plan.head_io, stream));
    } else {
      AWML_ASSIGN_OR_RETURN(head_outputs, AllocateOutputs(plan.single_io, stream));
    }
    AWML_ASSIGN_OR_RETURN(decoded, AllocateFloats(int64_t{plan.decode.top_k} * kernels::kBoxFields, stream));
    AWML_ASSIGN_OR_RETURN(decode_counters,
                          DeviceBuffer::Allocate(kernels::kNumDecodeCounters * sizeof(int32_t), stream));
    AWML_RETURN_IF_ERROR(kernels::DecodeCudaWorkspaceBytes(plan.decode, &bytes).WithContext("centerpoint | decode"));
    AWML_ASSIGN_OR_RETURN(decode_workspace, DeviceBuffer::Allocate(bytes, stream));
    AWML_ASSIGN_OR_RETURN(kept, AllocateFloats(int64_t{plan.nms.max_output} * kernels::kBoxFields, stream));
    AWML_ASSIGN_OR_RETURN(num_kept, DeviceBuffer::Allocate(sizeof(int32_t), stream));
    AWML_RETURN_IF_ERROR(
        kernels::CircleNmsCudaWorkspaceBytes(plan.nms, &bytes).WithContext("centerpoint | circle nms"));
    AWML_ASSIGN_OR_RETURN(nms_workspace, DeviceBuffer::Allocate(bytes, stream));
    std::size_t const counters = 1 + kernels::kNumVoxelizeCounters + kernels::kNumDecodeCounters;
    AWML_ASSIGN_OR_RETURN(host_counters, PinnedBuffer::Allocate(counters * sizeof(int32_t)));
    AWML_ASSIGN_OR_RETURN(host_boxes, PinnedBuffer::Allocate(kept.size()));
    return OkStatus();
  }

  // Bindings never change after Create: bind once (a captured graph stays valid).
  Status Bind() {
    auto bind_outputs = [this](EngineRunner& runner) -> Status {
      for (auto& [name, buffer] : head_outputs) AWML_RETURN_IF_ERROR(runner.SetTensorAddress(name, buffer.data()));
      return OkStatus();
    };
    CenterPointTensorNames const& n = config.names;
    if (config.mode == CenterPointMode::kTwoEngines) {
      AWML_RETURN_IF_ERROR(encoder->SetTensorAddress(n.encoder_input, encoder_input.data()));
      AWML_RETURN_IF_ERROR(encoder->SetTensorAddress(n.encoder_output, encoder_output.data()));
      AWML_RETURN_IF_ERROR(head->SetTensorAddress(n.head_input, canvas.data()));
      return bind_outputs(*head);
    }
    AWML_RETURN_IF_ERROR(single->SetTensorAddress(n.encoder_input, encoder_input.data()));
    AWML_RETURN_IF_ERROR(single->SetTensorAddress(n.coords, coords.data()));
    AWML_RETURN_IF_ERROR(single->SetTensorAddress(n.num_pillars, voxel_counters.as<int32_t>() + kernels::kPillarCount));
    return bind_outputs(*single);
  }

  Status RunEngines() {
    if (config.use_cuda_graph && !graphs_captured) {
      if (config.mode == CenterPointMode::kTwoEngines) {
        AWML_RETURN_IF_ERROR(encoder->CaptureGraph(stream));
      } else {
        AWML_RETURN_IF_ERROR(single->CaptureGraph(stream));
      }
      graphs_captured = true;
    }
    if (config.mode == CenterPointMode::kSingleEngine) return single->Enqueue(stream);
    AWML_RETURN_IF_ERROR(encoder->Enqueue(stream));
    int32_t const* count = voxel_counters.as<int32_t>() + kernels::kPillarCount;
    AWML_RETURN_IF_ERROR(kernels::ScatterCuda(plan.scatter, encoder_output.as<float>(), coords.as<int32_t>(), count,
                                              canvas.as<float>(), stream)
                             .WithContext("centerpoint | scatter"));
    if (config.use_cuda_graph && !head->HasGraph()) AWML_RETURN_IF_ERROR(head->CaptureGraph(stream));
    return head->Enqueue(stream);
  }

  Status Decode() {
    CenterPointTensorNames const& n = config.names;
    kernels::HeadTensors heads;
    heads.heatmap = head_outputs.at(n.heatmap).as<float>();
    heads.reg = head_outputs.at(n.reg).as<float>();
    heads.height = head_outputs.at(n.height).as<float>();
    heads.dim = head_outputs.at(n.dim).as<float>();
    heads.rot = head_outputs.at(n.rot).as<float>();
    heads.vel = config.has_velocity ? head_outputs.at(n.vel).as<float>() : nullptr;
    kernels::DecodeOutputs out{decoded.as<float>(), decode_counters.as<int32_t>()};
    AWML_RETURN_IF_ERROR(
        kernels::DecodeCuda(plan.decode, heads, out, decode_workspace.data(), decode_workspace.size(), stream)
            .WithContext("centerpoint | decode"));
    return kernels::CircleNmsCuda(plan.nms, decoded.as<float>(), decode_counters.as<int32_t>() + kernels::kNumBoxes,
                                  kept.as<float>(), num_kept.as<int32_t>(), nms_workspace.data(), nms_workspace.size(),
                                  stream)
        .WithContext("centerpoint | circle nms");
  }

  Status CopyResults() {
    auto* counters = static_cast<char*>(host_counters.data());
    AWML_RETURN_IF_ERROR(num_kept.CopyToHostAsync(counters, sizeof(int32_t), stream));
    AWML_RETURN_IF_ERROR(voxel_counters.CopyToHostAsync(counters + sizeof(int32_t), voxel_counters.size(), stream));
    AWML_RETURN_IF_ERROR(decode_counters.CopyToHostAsync(counters + sizeof(int32_t) + voxel_counters.size(),
                                                         decode_counters.size(), stream));
    // The whole (bounded) box buffer: one async copy instead of a count round-trip through the host.
    return kept.CopyToHostAsync(host_boxes.data(), kept.size(), stream);
  }
};

CenterPointRuntime::CenterPointRuntime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CenterPointRuntime::~CenterPointRuntime() = default;

StatusOr<std::unique_ptr<CenterPointRuntime>> CenterPointRuntime::Create(CenterPointConfig const& config,
                                                                         cudaStream_t stream) {
  if (stream == nullptr) return InvalidArgumentError("centerpoint | needs a created CUDA stream, got nullptr");
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->stream = stream;
  AWML_ASSIGN_OR_RETURN(impl->plan, PlanCenterPoint(config));
  if (config.mode == CenterPointMode::kTwoEngines) {
    AWML_ASSIGN_OR_RETURN(impl->encoder, OpenEngine(config.encoder_plan, impl->plan.encoder_io, {}));
    AWML_ASSIGN_OR_RETURN(impl->head, OpenEngine(config.head_plan, impl->plan.head_io, {}));
  } else {
    AWML_ASSIGN_OR_RETURN(impl->single, OpenEngine(config.single_plan, impl->plan.single_io, config.plugin_libraries));
  }
  AWML_RETURN_IF_ERROR(impl->Allocate());
  AWML_RETURN_IF_ERROR(impl->Bind());
  AWML_RETURN_IF_ERROR(CudaStatus(cudaStreamSynchronize(stream), "centerpoint | allocation"));
  return std::unique_ptr<CenterPointRuntime>(new CenterPointRuntime(std::move(impl)));
}

float* CenterPointRuntime::device_points() const { return impl_->points.as<float>(); }

Status CenterPointRuntime::Enqueue(float const* device_points, int64_t num_points) {
  Impl& m = *impl_;
  if (num_points < 0 || num_points > m.config.max_points) {
    return InvalidArgumentError("centerpoint | num_points out of range. Note: expected 0.." +
                                std::to_string(m.config.max_points) + ", got " + std::to_string(num_points));
  }
  kernels::VoxelizeOutputs out{m.pillar_points.as<float>(), m.points_per_pillar.as<int32_t>(), m.coords.as<int32_t>(),
                               m.voxel_counters.as<int32_t>()};
  AWML_RETURN_IF_ERROR(kernels::VoxelizeCuda(m.config.voxelize, device_points, num_points, out,
                                             m.voxel_workspace.data(), m.voxel_workspace.size(), m.stream)
                           .WithContext("centerpoint | voxelize"));
  AWML_RETURN_IF_ERROR(kernels::PillarFeaturesCuda(m.plan.features, m.pillar_points.as<float>(),
                                                   m.points_per_pillar.as<int32_t>(), m.coords.as<int32_t>(),
                                                   m.voxel_counters.as<int32_t>() + kernels::kPillarCount,
                                                   m.encoder_input.as<float>(), m.stream)
                           .WithContext("centerpoint | pillar features"));
  AWML_RETURN_IF_ERROR(m.RunEngines());
  AWML_RETURN_IF_ERROR(m.Decode());
  return m.CopyResults();
}

StatusOr<CenterPointDetections> CenterPointRuntime::Download() {
  Impl& m = *impl_;
  AWML_RETURN_IF_ERROR(CudaStatus(cudaStreamSynchronize(m.stream), "centerpoint | download"));
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
  return detections;
}

StatusOr<CenterPointDetections> CenterPointRuntime::Detect(float const* host_points, int64_t num_points) {
  Impl& m = *impl_;
  if (num_points < 0 || num_points > m.config.max_points) {
    return InvalidArgumentError("centerpoint | num_points out of range. Note: expected 0.." +
                                std::to_string(m.config.max_points) + ", got " + std::to_string(num_points));
  }
  std::size_t const bytes = static_cast<std::size_t>(num_points) * m.config.voxelize.num_point_features * sizeof(float);
  AWML_RETURN_IF_ERROR(m.points.CopyFromHostAsync(host_points, bytes, m.stream));
  AWML_RETURN_IF_ERROR(Enqueue(m.points.as<float>(), num_points));
  return Download();
}

}  // namespace awml::trt
