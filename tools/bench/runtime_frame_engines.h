// Parts of tools/bench/runtime_frame_bench.cc: the replaced engines, the host-synchronisation probe and the two
// grids (Autoware's and AWML's) with their fixed engine outputs. Only that binary includes this header.
#ifndef AWML_TOOLS_BENCH_RUNTIME_FRAME_ENGINES_H_
#define AWML_TOOLS_BENCH_RUNTIME_FRAME_ENGINES_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cpp/trt_runtime/centerpoint_config.h"
#include "cpp/trt_runtime/centerpoint_runtime.h"
#include "cpp/trt_runtime/engine.h"
#include "tools/bench/lidar_scene.h"

#ifndef AWML_BENCH_WITH_CUDA
#define AWML_BENCH_WITH_CUDA 0
#endif
#if AWML_BENCH_WITH_CUDA
#include <cuda_runtime_api.h>

#include "cpp/common/cuda_status.h"
#endif

namespace awml::bench {

using trt::CenterPointConfig;
using trt::CenterPointDetections;
using trt::CenterPointRuntime;
using trt::MemoryLocation;
using Clock = std::chrono::steady_clock;

constexpr int kSets = 4, kObjects = 45, kClasses = 5;

[[noreturn]] inline void BadInput(std::string const& problem, std::string const& expected, std::string const& got) {
  std::fprintf(stderr, "runtime_frame_bench | %s. Note: expected %s, got %s\n", problem.c_str(), expected.c_str(),
               got.c_str());
  std::exit(2);
}

template <typename T>
T Must(StatusOr<T> value, char const* what) {
  if (!value.ok()) {
    std::fprintf(stderr, "runtime_frame_bench | %s failed: %s\n", what, value.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(value).value();
}
inline void Must(Status const& status, char const* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "runtime_frame_bench | %s failed: %s\n", what, status.ToString().c_str());
    std::exit(1);
  }
}

// ---------------------------------------------------------------------------------------------------- sync probe
// Counts the host synchronisations of a frame segment by segment. Before each segment a host function that holds the
// stream for kHold (or until released) is enqueued; a segment that waits for the stream (cudaStreamSynchronize, a
// pageable copy, cudaFree...) cannot return before the hold expires, one that does not returns in microseconds.
// Segments are cut between runtime calls and, inside RunNetwork, by the replaced engines' Run. A segment that
// synchronises twice counts once (the second wait finds the stream free).
class SyncProbe {
 public:
  static constexpr auto kHold = std::chrono::milliseconds(40);
  void Begin(StreamHandle stream) {
    stream_ = stream;
    blocked_.clear();
    Arm();
  }
  bool active() const { return stream_ != nullptr; }
  void Cut(std::string const& segment) {
    if (!active()) return;
    if (Clock::now() - armed_ >= kHold / 2) blocked_.push_back(segment);
    Release();
    Arm();
  }
  std::vector<std::string> End();

 private:
  struct Gate {
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;
  };
  static void Hold(void* data) {
    Gate* gate = static_cast<Gate*>(data);
    std::unique_lock<std::mutex> lock(gate->mutex);
    gate->cv.wait_for(lock, kHold, [gate] { return gate->open; });
  }
  void Arm();
  void Release() {
    Gate& gate = *gates_.back();
    std::lock_guard<std::mutex> lock(gate.mutex);
    gate.open = true;
    gate.cv.notify_all();
  }
  StreamHandle stream_ = nullptr;
  std::vector<std::unique_ptr<Gate>> gates_;
  std::vector<std::string> blocked_;
  Clock::time_point armed_;
};

#if AWML_BENCH_WITH_CUDA
inline void SyncProbe::Arm() {
  gates_.push_back(std::make_unique<Gate>());
  Must(CudaStatus(cudaLaunchHostFunc(stream_, &SyncProbe::Hold, gates_.back().get()), "probe gate"), "probe");
  armed_ = Clock::now();
}
inline std::vector<std::string> SyncProbe::End() {
  Release();
  Must(CudaStatus(cudaStreamSynchronize(stream_), "probe end"), "probe");
  gates_.clear();
  stream_ = nullptr;
  return blocked_;
}
#else
inline void SyncProbe::Arm() {}
inline std::vector<std::string> SyncProbe::End() { return {}; }
#endif

// ---------------------------------------------------------------------------------------------- replaced engines
// Fixed outputs per tensor name and set (a tensor with one set serves every set).
using FixedOutputs = std::map<std::string, std::vector<std::vector<float>>>;

class FixedEngine final : public trt::Engine {
 public:
  FixedEngine(trt::IoSpec io, MemoryLocation location, std::shared_ptr<FixedOutputs const> outputs, SyncProbe* probe,
              std::string segment)
      : io_(std::move(io)), location_(location), outputs_(std::move(outputs)), probe_(probe), segment_(segment) {
    for (auto const& [name, sets] : *outputs_) slots_.push_back({&sets, &bound_[name], nullptr, nullptr});
  }
  trt::IoSpec const& io() const override { return io_; }
  MemoryLocation location() const override { return location_; }
  Status SetInputShape(std::string const& name, trt::Dims const&) override {
    return io_.Find(name) ? OkStatus() : NotFoundError("fixed engine | no tensor " + name);
  }
  Status SetTensorAddress(std::string const& name, void* address) override {
    if (!io_.Find(name)) return NotFoundError("fixed engine | no tensor " + name);
    bound_[name] = address;
    return OkStatus();
  }
  Status Run(StreamHandle stream) override {
    probe_->Cut(segment_);
    Clock::time_point const start = Clock::now();
    Status const status = CopyIfNeeded(stream);
    run_us += std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    return status;
  }
  void UseSet(int set) { set_ = set; }
  int64_t copies = 0;   //!< output copies made so far
  double run_us = 0.0;  //!< host time spent in Run so far

 private:
  // One fixed output: its sets, where the runtime bound it, and what was last copied where.
  struct Slot {
    std::vector<std::vector<float>> const* sets;
    void* const* bound;  // into bound_ (std::map nodes do not move)
    void* written_to;
    void const* written;
  };
  Status CopyIfNeeded(StreamHandle stream) {
    for (Slot& slot : slots_) {
      std::vector<float> const& data = (*slot.sets)[static_cast<std::size_t>(set_) % slot.sets->size()];
      void* const target = *slot.bound;
      if (target == slot.written_to && &data == slot.written) continue;  // the bound buffer holds these values
      if (target == nullptr) return FailedPreconditionError("fixed engine | an output is not bound");
      slot.written_to = target;
      slot.written = &data;
      ++copies;
      std::size_t const bytes = data.size() * sizeof(float);
#if AWML_BENCH_WITH_CUDA
      if (location_ == MemoryLocation::kDevice) {
        AWML_RETURN_IF_CUDA_ERROR(cudaMemcpyAsync(target, data.data(), bytes, cudaMemcpyHostToDevice, stream), "up");
        continue;
      }
#endif
      (void)stream;
      std::memcpy(target, data.data(), bytes);
    }
    return OkStatus();
  }

  trt::IoSpec io_;
  MemoryLocation location_;
  std::shared_ptr<FixedOutputs const> outputs_;
  SyncProbe* probe_;
  std::string segment_;
  int set_ = 0;
  std::map<std::string, void*> bound_;
  std::vector<Slot> slots_;
};

// ----------------------------------------------------------------------------------------------------- scenarios
struct Grid {
  std::string name;
  CenterPointConfig config;
  float range;
  std::shared_ptr<FixedOutputs const> encoder, heads;
};

// Autoware's defaults (autoware_kernel_baseline.md section 0) and AWML's 1020 x 1020 grid (0.24 m, out_size_factor 2,
// 5 point features + voxel-centre z = 11 encoder features, max_voxels 96000); both decode like Autoware (argmax,
// score > 0.35, yaw-norm gate, circle NMS radius 0.5 m on sorted input).
inline Grid MakeGrid(std::string const& name) {
  bool const awml = name == "awml";
  CenterPointConfig c;
  double const r = awml ? 122.4 : 76.8, v = awml ? 0.24 : 0.32;
  c.voxelize.grid = {-r, -r, -4.0, r, r, 6.0, v, v, 10.0};
  c.voxelize.num_point_features = awml ? 5 : 4;
  c.voxelize.max_points_per_pillar = 32;
  c.voxelize.max_pillars = awml ? 96000 : 40000;
  c.use_voxel_center_z = awml;
  c.encoder_channels = 32;
  c.out_size_factor = awml ? 2 : 1;
  c.has_velocity = true;
  c.decode.num_classes = kClasses;
  c.decode.score_thresholds.fill(0.35f);
  c.decode.yaw_norm_thresholds = {0.3f, 0.3f, 0.3f, 0.3f, 0.0f};
  c.nms.squared_radius = 0.25f;
  c.nms.input_sorted = true;
  c.max_points = 2000000;  // Autoware's cloud_capacity
  trt::CenterPointPlan const plan = Must(trt::PlanCenterPoint(c), "plan");
  auto encoder = std::make_shared<FixedOutputs>();
  std::vector<float> features(static_cast<std::size_t>(c.voxelize.max_pillars) * c.encoder_channels);
  for (std::size_t i = 0; i < features.size(); ++i) features[i] = 0.01f * static_cast<float>(i % 97);
  (*encoder)[c.names.encoder_output].push_back(std::move(features));
  auto heads = std::make_shared<FixedOutputs>();
  std::size_t const plane = static_cast<std::size_t>(plan.head_x) * plan.head_y;
  int const channels[] = {kClasses, 2, 1, 3, 2, 2};
  for (int s = 0; s < kSets; ++s) {
    std::vector<float> const all = Heads(200 + s, kClasses, plan.head_y, plan.head_x, kObjects);
    std::size_t offset = 0;
    for (std::size_t k = 0; k < plan.head_outputs.size(); ++k) {
      std::size_t const count = channels[k] * plane;
      (*heads)[plan.head_outputs[k]].emplace_back(all.begin() + offset, all.begin() + offset + count);
      offset += count;
    }
  }
  std::string const label = awml ? "awml_1020x1020_0.24m" : "autoware_480x480_0.32m";
  return {label, c, static_cast<float>(r), std::move(encoder), std::move(heads)};
}

// A runtime with its replaced engines (owned by the runtime; pointers kept to switch head sets and count copies).
struct Bench {
  std::unique_ptr<CenterPointRuntime> runtime;
  FixedEngine *encoder = nullptr, *head = nullptr;
  void UseSet(int s) { head->UseSet(s); }
  int64_t copies() const { return encoder->copies + head->copies; }
  double run_us() const { return encoder->run_us + head->run_us; }
};

inline Bench MakeBench(Grid const& g, kernels::VoxelizeMode mode, trt::RuntimeDevice device, StreamHandle stream,
                       SyncProbe* probe) {
  CenterPointConfig config = g.config;
  config.voxelize.mode = mode;
  trt::CenterPointPlan const plan = Must(trt::PlanCenterPoint(config), "plan");
  MemoryLocation const where = device == trt::RuntimeDevice::kCuda ? MemoryLocation::kDevice : MemoryLocation::kHost;
  auto encoder = std::make_unique<FixedEngine>(plan.encoder_io, where, g.encoder, probe, "RunNetwork to encoder Run");
  auto head = std::make_unique<FixedEngine>(plan.head_io, where, g.heads, probe, "RunNetwork encoder Run to head Run");
  Bench b{nullptr, encoder.get(), head.get()};
  b.runtime = Must(CenterPointRuntime::Create(config, std::move(encoder), std::move(head), device, stream), "create");
  return b;
}

}  // namespace awml::bench

#endif  // AWML_TOOLS_BENCH_RUNTIME_FRAME_ENGINES_H_
