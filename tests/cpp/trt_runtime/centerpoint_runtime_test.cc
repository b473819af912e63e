// CenterPointRuntime without TensorRT and without Python: on the CPU around two host engines that compute a
// small real network (a PFN-like encoder: per-point linear + ReLU + max; heads: 2x2 average pool + 1x1 conv).
// The runtime's boxes must equal the same stages composed by hand from the kernels' CPU launchers; the y-axis
// head flag, empty frames, bad inputs and the engine contract are checked too. Where a CUDA device is present
// (the GPU machine), the CUDA runtime must give the CPU runtime's boxes.
#include "cpp/trt_runtime/centerpoint_runtime.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#if AWML_RUNTIME_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace awml::trt {
namespace {

constexpr int kPoints = 16, kFeatures = 10, kChannels = 8, kClasses = 3, kFactor = 2;
char const* const kHeads[] = {"heatmap", "reg", "height", "dim", "rot", "vel"};
int const kHeadChannels[] = {kClasses, 2, 1, 3, 2, 2};

CenterPointConfig SmallConfig() {
  CenterPointConfig c;
  c.voxelize.grid = {-25.6, -25.6, -3.0, 25.6, 25.6, 5.0, 0.4, 0.4, 8.0};  // 128 x 128
  c.voxelize.num_point_features = 4;
  c.voxelize.max_points_per_pillar = kPoints;
  c.voxelize.max_pillars = 3000;
  c.use_voxel_center_z = true;
  c.encoder_channels = kChannels;
  c.out_size_factor = kFactor;
  c.has_velocity = true;
  c.decode.num_classes = kClasses;
  c.decode.mode = kernels::DecodeMode::kTopK;
  c.decode.max_candidates = 4096;
  c.decode.top_k = 200;
  c.decode.score_thresholds.fill(0.1f);
  c.nms.squared_radius = 1.0f;
  c.nms.inclusive = true;
  c.nms.max_output = 83;
  c.max_points = 50000;
  return c;
}

// Fixed pseudo-random weights (the same for every engine instance).
std::vector<float> Weights(int count, unsigned seed, float scale) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> w(static_cast<std::size_t>(count));
  for (float& v : w) v = normal(rng);
  return w;
}

// The network's math, shared by the engines and the hand-composed reference.
void EncoderMath(float const* in, int64_t pillars, float* out) {
  static std::vector<float> const w = Weights(kFeatures * kChannels, 1, 0.4f);
  for (int64_t p = 0; p < pillars; ++p) {
    for (int c = 0; c < kChannels; ++c) {
      float best = 0.0f;  // max over points of ReLU(x W)
      for (int m = 0; m < kPoints; ++m) {
        float s = 0.0f;
        for (int f = 0; f < kFeatures; ++f) s += in[(p * kPoints + m) * kFeatures + f] * w[f * kChannels + c];
        best = std::max(best, s);
      }
      out[p * kChannels + c] = best;
    }
  }
}

// canvas [C, H, W] -> heads [ch, H/2, W/2]; `y_axis` writes dim (w, l, h) and rot (-cos, -sin).
void HeadMath(float const* canvas, int h, int w, bool y_axis, std::map<std::string, float*> const& out) {
  int const hh = h / kFactor, hw = w / kFactor;
  std::vector<float> pooled(static_cast<std::size_t>(kChannels) * hh * hw, 0.0f);
  for (int c = 0; c < kChannels; ++c) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x)
        pooled[(c * hh + y / kFactor) * hw + x / kFactor] += canvas[(c * h + y) * w + x] * 0.25f;
    }
  }
  for (int k = 0; k < 6; ++k) {
    int const ch = kHeadChannels[k];
    std::vector<float> const wk = Weights(ch * kChannels, 10 + k, 1.5f);
    float* o = out.at(kHeads[k]);
    for (int oc = 0; oc < ch; ++oc) {
      for (int i = 0; i < hh * hw; ++i) {
        float s = k == 0 ? -2.0f : 0.0f;
        for (int c = 0; c < kChannels; ++c) s += wk[oc * kChannels + c] * pooled[c * hh * hw + i];
        o[oc * hh * hw + i] = s;
      }
    }
  }
  if (!y_axis) return;
  int64_t const plane = int64_t{hh} * hw;
  float* dim = out.at("dim");
  float* rot = out.at("rot");
  for (int64_t i = 0; i < plane; ++i) {
    std::swap(dim[i], dim[plane + i]);
    float const s = rot[i], c = rot[plane + i];
    rot[i] = -c;
    rot[plane + i] = -s;
  }
}

// A host engine: declared I/O, shapes and addresses, Run calls `compute`.
class HostEngine : public Engine {
 public:
  explicit HostEngine(IoSpec io) : io_(std::move(io)) {}
  IoSpec const& io() const override { return io_; }
  MemoryLocation location() const override { return MemoryLocation::kHost; }
  Status SetInputShape(std::string const& name, Dims const& dims) override {
    shapes_[name] = dims;
    return OkStatus();
  }
  Status SetTensorAddress(std::string const& name, void* address) override {
    if (io_.Find(name) == nullptr) return NotFoundError("no tensor " + name);
    addresses_[name] = static_cast<float*>(address);
    return OkStatus();
  }
  int runs = 0;

 protected:
  IoSpec io_;
  std::map<std::string, Dims> shapes_;
  std::map<std::string, float*> addresses_;
};

class EncoderEngine final : public HostEngine {
 public:
  explicit EncoderEngine(int channels = kChannels)
      : HostEngine({{{"input_features", TensorRole::kInput, DataType::kFloat32, {-1, kPoints, kFeatures}},
                     {"pillar_features", TensorRole::kOutput, DataType::kFloat32, {-1, 1, channels}}},
                    {}}) {}
  Status Run(StreamHandle) override {
    ++runs;
    EncoderMath(addresses_.at("input_features"), shapes_.at("input_features")[0], addresses_.at("pillar_features"));
    return OkStatus();
  }
};

class HeadEngine final : public HostEngine {
 public:
  HeadEngine(int h, int w, bool y_axis) : HostEngine(Io(h, w)), h_(h), w_(w), y_axis_(y_axis) {}
  Status Run(StreamHandle) override {
    ++runs;
    std::map<std::string, float*> out(addresses_.begin(), addresses_.end());
    HeadMath(addresses_.at("spatial_features"), h_, w_, y_axis_, out);
    return OkStatus();
  }

 private:
  static IoSpec Io(int h, int w) {
    IoSpec io;
    io.tensors.push_back({"spatial_features", TensorRole::kInput, DataType::kFloat32, {1, kChannels, h, w}});
    for (int k = 0; k < 6; ++k) {
      io.tensors.push_back(
          {kHeads[k], TensorRole::kOutput, DataType::kFloat32, {1, kHeadChannels[k], h / kFactor, w / kFactor}});
    }
    return io;
  }
  int h_, w_;
  bool y_axis_;
};

// Clustered objects, uniform points and 5 % beyond the range, (x, y, z, intensity).
std::vector<float> Cloud(unsigned seed, int64_t n) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::normal_distribution<float> blob(0.0f, 0.5f);
  std::vector<float> centers(40);
  for (float& c : centers) c = 24.0f * u(rng);
  std::vector<float> cloud(static_cast<std::size_t>(n) * 4);
  for (int64_t i = 0; i < n; ++i) {
    float* p = cloud.data() + i * 4;
    int const c = static_cast<int>((u(rng) + 1.0f) * 9.99f);
    bool const object = i % 2 == 0;
    p[0] = object ? centers[2 * c] + blob(rng) : 27.0f * u(rng);
    p[1] = object ? centers[2 * c + 1] + blob(rng) : 27.0f * u(rng);
    p[2] = 1.0f + 3.0f * u(rng);
    p[3] = 0.5f + 0.5f * u(rng);
  }
  return cloud;
}

std::unique_ptr<CenterPointRuntime> MakeRuntime(CenterPointConfig const& config, bool y_axis_engine,
                                                RuntimeDevice device = RuntimeDevice::kCpu,
                                                StreamHandle stream = nullptr) {
  StatusOr<std::unique_ptr<CenterPointRuntime>> runtime = CenterPointRuntime::Create(
      config, std::make_unique<EncoderEngine>(), std::make_unique<HeadEngine>(128, 128, y_axis_engine), device, stream);
  EXPECT_TRUE(runtime.ok()) << runtime.status().ToString();
  return runtime.ok() ? std::move(runtime).value() : nullptr;
}

// The same frame through the kernels' CPU launchers and the network math, composed by hand.
std::vector<std::array<float, kernels::kBoxFields>> Reference(CenterPointConfig const& config,
                                                              std::vector<float> const& cloud) {
  CenterPointPlan const plan = *PlanCenterPoint(config);
  kernels::VoxelizeConfig const& v = config.voxelize;
  struct {
    std::vector<float> points;
    std::vector<int32_t> num, coords, counters;
    kernels::VoxelizeOutputs outputs() { return {points.data(), num.data(), coords.data(), counters.data()}; }
  } voxels{std::vector<float>(static_cast<std::size_t>(v.max_pillars) * kPoints * 4),
           std::vector<int32_t>(v.max_pillars), std::vector<int32_t>(static_cast<std::size_t>(v.max_pillars) * 3),
           std::vector<int32_t>(kernels::kNumVoxelizeCounters)};
  int64_t const n = static_cast<int64_t>(cloud.size()) / 4;
  EXPECT_TRUE(kernels::VoxelizeCpu(v, cloud.data(), n, voxels.outputs()).ok());
  std::vector<float> features(static_cast<std::size_t>(v.max_pillars) * kPoints * kFeatures);
  int32_t const* count = voxels.counters.data() + kernels::kPillarCount;
  EXPECT_TRUE(kernels::PillarFeaturesCpu(plan.features, voxels.points.data(), voxels.num.data(), voxels.coords.data(),
                                         count, features.data())
                  .ok());
  std::vector<float> encoded(static_cast<std::size_t>(v.max_pillars) * kChannels);
  EncoderMath(features.data(), *count, encoded.data());
  std::vector<float> canvas(static_cast<std::size_t>(kChannels) * 128 * 128);
  EXPECT_TRUE(kernels::ScatterCpu(plan.scatter, encoded.data(), voxels.coords.data(), count, canvas.data()).ok());
  std::map<std::string, std::vector<float>> heads;
  std::map<std::string, float*> out;
  for (int k = 0; k < 6; ++k) {
    heads[kHeads[k]].resize(static_cast<std::size_t>(kHeadChannels[k]) * 64 * 64);
    out[kHeads[k]] = heads[kHeads[k]].data();
  }
  HeadMath(canvas.data(), 128, 128, false, out);
  kernels::HeadTensors t{out["heatmap"], out["reg"], out["height"], out["dim"], out["rot"], out["vel"]};
  std::vector<float> decoded(static_cast<std::size_t>(plan.decode.top_k) * kernels::kBoxFields);
  int32_t counters[kernels::kNumDecodeCounters] = {};
  EXPECT_TRUE(kernels::DecodeCpu(plan.decode, t, {decoded.data(), counters}).ok());
  std::vector<float> kept(static_cast<std::size_t>(plan.nms.max_output) * kernels::kBoxFields);
  int32_t num_kept = 0;
  EXPECT_TRUE(kernels::CircleNmsCpu(plan.nms, decoded.data(), counters, kept.data(), &num_kept).ok());
  std::vector<std::array<float, kernels::kBoxFields>> boxes(static_cast<std::size_t>(num_kept));
  for (int i = 0; i < num_kept; ++i)
    std::copy_n(kept.data() + i * kernels::kBoxFields, kernels::kBoxFields, boxes[i].begin());
  return boxes;
}

TEST(CenterPointRuntimeCpu, EqualsTheKernelsComposedByHand) {
  CenterPointConfig const config = SmallConfig();
  std::unique_ptr<CenterPointRuntime> runtime = MakeRuntime(config, false);
  ASSERT_NE(runtime, nullptr);
  int total = 0;
  for (unsigned seed = 0; seed < 4; ++seed) {
    std::vector<float> const cloud = Cloud(seed, 8000 + 3000 * seed);
    StatusOr<CenterPointDetections> got = runtime->Detect(cloud.data(), static_cast<int64_t>(cloud.size()) / 4);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    auto const expected = Reference(config, cloud);
    ASSERT_EQ(got->boxes.size(), expected.size()) << "seed " << seed;
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(got->boxes[i], expected[i]) << seed << " box " << i;
    EXPECT_GT(got->num_pillars, 100);
    EXPECT_GT(got->points_out_of_range, 0);
    total += static_cast<int>(expected.size());
  }
  EXPECT_GT(total, 20);
}

TEST(CenterPointRuntimeCpu, YAxisHeadIsDecodedWithTheFlagAndWrongWithout) {
  CenterPointConfig config = SmallConfig();
  std::vector<float> const cloud = Cloud(7, 12000);
  int64_t const n = static_cast<int64_t>(cloud.size()) / 4;
  auto const expected = Reference(config, cloud);
  ASSERT_FALSE(expected.empty());
  config.rot_y_axis_reference = true;
  config.return_heads = true;
  StatusOr<CenterPointDetections> right = MakeRuntime(config, true)->Detect(cloud.data(), n);
  ASSERT_TRUE(right.ok()) << right.status().ToString();
  ASSERT_EQ(right->boxes.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(right->boxes[i], expected[i]) << i;
  EXPECT_EQ(right->heads.at("dim").size(), 3u * 64 * 64);  // returned in mmdet3d's layout
  config.rot_y_axis_reference = false;
  StatusOr<CenterPointDetections> wrong = MakeRuntime(config, true)->Detect(cloud.data(), n);
  ASSERT_TRUE(wrong.ok());
  bool differs = wrong->boxes.size() != expected.size();
  for (std::size_t i = 0; !differs && i < expected.size(); ++i) differs = wrong->boxes[i] != expected[i];
  EXPECT_TRUE(differs);
}

TEST(CenterPointRuntimeCpu, EmptyFramesAndBadInputs) {
  std::unique_ptr<CenterPointRuntime> runtime = MakeRuntime(SmallConfig(), false);
  ASSERT_NE(runtime, nullptr);
  float const far[] = {1000.0f, 1000.0f, 0.0f, 1.0f};  // out of range: no pillar, the encoder is skipped
  StatusOr<CenterPointDetections> empty = runtime->Detect(far, 1);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->num_pillars, 0);
  EXPECT_EQ(empty->points_out_of_range, 1);
  StatusOr<CenterPointDetections> none = runtime->Detect(nullptr, 0);
  EXPECT_TRUE(none.ok()) << none.status().ToString();
  StatusOr<CenterPointDetections> too_many = runtime->Detect(far, 50001);
  EXPECT_EQ(too_many.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_many.status().message().find("num_points out of range"), std::string::npos);
}

TEST(CenterPointRuntimeCpu, EnginesAreCheckedAgainstTheContract) {
  CenterPointConfig const config = SmallConfig();
  auto created = CenterPointRuntime::Create(config, std::make_unique<EncoderEngine>(16),
                                            std::make_unique<HeadEngine>(128, 128, false), RuntimeDevice::kCpu);
  EXPECT_EQ(created.status().code(), StatusCode::kMismatch);
  EXPECT_NE(created.status().message().find("encoder: engine io"), std::string::npos) << created.status().message();
  auto swapped = CenterPointRuntime::Create(config, std::make_unique<HeadEngine>(128, 128, false),
                                            std::make_unique<EncoderEngine>(), RuntimeDevice::kCpu);
  EXPECT_EQ(swapped.status().code(), StatusCode::kMismatch);
  auto missing = CenterPointRuntime::Create(config, std::make_unique<EncoderEngine>(), nullptr, RuntimeDevice::kCpu);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
}

TEST(CenterPointRuntimeCuda, EqualsTheCpuRuntimeWhereADeviceExists) {
  auto created =
      CenterPointRuntime::Create(SmallConfig(), std::make_unique<EncoderEngine>(),
                                 std::make_unique<HeadEngine>(128, 128, false), RuntimeDevice::kCuda, nullptr);
  ASSERT_FALSE(created.ok());  // no stream (or no device, or a CPU-only build): one clear error, never a crash
#if AWML_RUNTIME_WITH_CUDA
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    EXPECT_EQ(created.status().code(), StatusCode::kUnavailable);
    GTEST_SKIP() << "no CUDA device: the CUDA half runs on the GPU machine";
  }
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  // The decode contract (decode.h) promises CPU == CUDA only while no candidate is dropped: beyond max_candidates
  // the CPU keeps the first in flat order and CUDA the first to arrive. The random network scores many cells, so the
  // comparison uses the lowest score threshold at which no frame drops a candidate (found on the CPU).
  std::vector<std::vector<float>> clouds;
  for (unsigned seed = 0; seed < 6; ++seed) clouds.push_back(Cloud(100 + seed, 5000 + 4000 * seed));
  CenterPointConfig config = SmallConfig();
  for (float const threshold : {0.1f, 0.3f, 0.5f, 0.7f, 0.8f, 0.9f, 0.95f}) {
    config.decode.score_thresholds.fill(threshold);
    std::unique_ptr<CenterPointRuntime> probe = MakeRuntime(config, false);
    ASSERT_NE(probe, nullptr);
    bool dropped = false;
    for (std::vector<float> const& cloud : clouds) {
      StatusOr<CenterPointDetections> d = probe->Detect(cloud.data(), static_cast<int64_t>(cloud.size()) / 4);
      ASSERT_TRUE(d.ok()) << d.status().ToString();
      dropped = dropped || d->candidates_dropped > 0;
    }
    if (!dropped) break;
  }
  // The head tensors too: they are the network's function of the canvas, so a pillar row or canvas cell the CUDA
  // runtime failed to rewrite shows there even where no box moves.
  config.return_heads = true;
  auto compare = [&](CenterPointConfig const& c, std::vector<std::vector<float>> const& frames) {
    SCOPED_TRACE(c.voxelize.mode == kernels::VoxelizeMode::kFast ? "fast voxelize" : "deterministic voxelize");
    std::unique_ptr<CenterPointRuntime> cuda = MakeRuntime(c, false, RuntimeDevice::kCuda, stream);
    std::unique_ptr<CenterPointRuntime> cpu = MakeRuntime(c, false);
    ASSERT_NE(cuda, nullptr);
    std::size_t compared = 0;
    // Growing frames, then the same ones shrinking, on one runtime: the CUDA runtime keeps its encoder input and canvas
    // between frames and rewrites only what the previous frame left (pillar_features.h, scatter.h).
    for (std::size_t k = 0; k < 2 * frames.size(); ++k) {
      std::size_t const seed = k < frames.size() ? k : 2 * frames.size() - 1 - k;
      int64_t const n = static_cast<int64_t>(frames[seed].size()) / 4;
      StatusOr<CenterPointDetections> a = cpu->Detect(frames[seed].data(), n);
      StatusOr<CenterPointDetections> b = cuda->Detect(frames[seed].data(), n);
      ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << " / " << b.status().ToString();
      ASSERT_EQ(a->candidates_dropped, 0) << "threshold " << c.decode.score_thresholds[0];
      EXPECT_EQ(b->candidates_dropped, 0);
      ASSERT_EQ(a->boxes.size(), b->boxes.size()) << seed;
      EXPECT_EQ(a->num_pillars, b->num_pillars);
      ASSERT_EQ(a->heads.size(), 6u);
      for (auto const& [name, cpu_head] : a->heads) {
        ASSERT_EQ(b->heads.count(name), 1u) << name;
        std::vector<float> const& cuda_head = b->heads.at(name);
        ASSERT_EQ(cpu_head.size(), cuda_head.size()) << name;
        std::size_t differ = 0;
        for (std::size_t i = 0; i < cpu_head.size(); ++i)
          differ += !(cpu_head[i] == cuda_head[i] || std::abs(cpu_head[i] - cuda_head[i]) <= 1e-4f);
        EXPECT_EQ(differ, 0u) << name << " frame " << k << " (cloud " << seed << ")";
      }
      compared += a->boxes.size();
      for (std::size_t i = 0; i < a->boxes.size(); ++i) {
        for (int f = 0; f < kernels::kBoxFields; ++f) {
          // The random network's sizes overflow exp() to +inf on both devices: equal values, infinite ones included.
          if (a->boxes[i][f] == b->boxes[i][f]) continue;
          EXPECT_NEAR(a->boxes[i][f], b->boxes[i][f], 1e-4) << seed;
        }
      }
    }
    EXPECT_GT(compared, 0u) << "no boxes at threshold " << c.decode.score_thresholds[0];
  };
  compare(config, clouds);
  // The fast voxeliser (`deterministic: false`) numbers pillars and their points in arrival order, so the heads equal
  // the CPU's only where no pillar overflows and every pillar's xyz sums are independent of that order: at most two
  // points per cell (a + b == b + a; three terms may round differently, which exp() turns into box sizes that differ
  // by more than the tolerance; seen under compute-sanitizer, whose scheduling changes the arrival order). So each
  // cloud puts one or two points (every third cell) into distinct random cells of the 128 x 128 grid, away from the
  // cell borders; 400 to 2,500 points.
  std::vector<std::vector<float>> sparse;
  for (unsigned seed = 0; seed < 6; ++seed) {
    std::mt19937 rng(300 + seed);
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    std::vector<int> cells(128 * 128);
    std::iota(cells.begin(), cells.end(), 0);
    std::shuffle(cells.begin(), cells.end(), rng);
    std::size_t const n = 400 + 420 * seed;
    std::vector<float>& cloud = sparse.emplace_back();
    for (std::size_t c = 0; cloud.size() < 4 * n; ++c) {
      for (int k = 0; k < (c % 3 == 0 ? 2 : 1) && cloud.size() < 4 * n; ++k) {
        float const x = -25.6f + 0.4f * (static_cast<float>(cells[c] % 128) + 0.5f + 0.6f * u(rng));
        float const y = -25.6f + 0.4f * (static_cast<float>(cells[c] / 128) + 0.5f + 0.6f * u(rng));
        cloud.insert(cloud.end(), {x, y, 5.0f * u(rng), 0.5f + 0.4f * u(rng)});
      }
    }
  }
  config.voxelize.mode = kernels::VoxelizeMode::kFast;
  compare(config, sparse);
  cudaStreamDestroy(stream);
#else
  EXPECT_EQ(created.status().code(), StatusCode::kUnavailable);
#endif
}

}  // namespace
}  // namespace awml::trt
