// EngineBuilder + engine cache + EngineRunner against a real TensorRT library and GPU, on the tiny
// ONNX fixture (testdata/tiny_mlp.onnx). SKIPPED where TensorRT is absent.
#include <gtest/gtest.h>

#include <NvInferVersion.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cpp/trt_runtime/cuda_buffer.h"
#include "cpp/trt_runtime/cuda_stream.h"
#include "cpp/trt_runtime/engine_builder.h"
#include "cpp/trt_runtime/engine_cache.h"
#include "cpp/trt_runtime/engine_runner.h"
#include "cpp/trt_runtime/file_io.h"

namespace awml::trt {
namespace {

constexpr char kOnnx[] = "tests/cpp/trt_runtime/testdata/tiny_mlp.onnx";

std::string TempPath(std::string const& name) {
  char const* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

IoSpec MlpSpec() {
  IoSpec io;
  io.tensors = {{"x", TensorRole::kInput, DataType::kFloat32, {-1, 4}},
                {"y", TensorRole::kOutput, DataType::kFloat32, {-1, 3}}};
  ProfileSpec profile;
  profile.shapes["x"] = {{1, 4}, {4, 4}, {8, 4}};
  io.profiles = {profile};
  return io;
}

BuildConfig MlpBuild(std::string const& plan) {
  BuildConfig config;
  config.onnx_path = kOnnx;
  config.plan_path = TempPath(plan);
  config.io = MlpSpec();
  config.timing_cache_path = TempPath(plan + ".timing");
  return config;
}

std::vector<float> Reference(std::vector<float> const& x, int batch) {
  std::vector<float> y(batch * 3);
  for (int n = 0; n < batch; ++n) {
    for (int j = 0; j < 3; ++j) {
      float acc = 0.05f * j;
      for (int i = 0; i < 4; ++i) acc += x[n * 4 + i] * (0.1f * (i + 1) - 0.2f * j);
      y[n * 3 + j] = std::max(acc, 0.0f);
    }
  }
  return y;
}

class EngineTrtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!CudaDeviceCount().ok()) GTEST_SKIP() << "no CUDA device";
  }
};

TEST_F(EngineTrtTest, BuildThenReuseThenRebuildOnPolicyOrCorruptMetadata) {
  BuildConfig config = MlpBuild("mlp_cache.engine");
  StatusOr<BuildReport> first = BuildEngine(config);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->reused);
  EXPECT_TRUE(FileExists(config.plan_path));
  EXPECT_TRUE(FileExists(MetadataPathFor(config.plan_path)));
  EXPECT_TRUE(FileExists(InspectorPathFor(config.plan_path)));
  EXPECT_TRUE(FileExists(config.timing_cache_path));
  EXPECT_FALSE(first->mechanism.empty());

  StatusOr<BuildReport> second = BuildEngine(config);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->reused) << second->cache_reason;

  config.precision = PrecisionPolicy::kStronglyTyped;
  StatusOr<BuildReport> third = BuildEngine(config);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_FALSE(third->reused);
  EXPECT_NE(third->cache_reason.find("precision"), std::string::npos) << third->cache_reason;

  ASSERT_TRUE(WriteFileAtomically(MetadataPathFor(config.plan_path), std::string("garbage")).ok());
  StatusOr<BuildReport> fourth = BuildEngine(config);
  ASSERT_TRUE(fourth.ok());
  EXPECT_FALSE(fourth->reused);
  EXPECT_NE(fourth->cache_reason.find("metadata unusable"), std::string::npos) << fourth->cache_reason;
}

TEST_F(EngineTrtTest, BuildRejectsASpecTheOnnxDoesNotSatisfy) {
  BuildConfig config = MlpBuild("mlp_bad_spec.engine");
  config.io.tensors[1].dtype = DataType::kInt32;
  StatusOr<BuildReport> report = BuildEngine(config);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kMismatch);
  EXPECT_NE(report.status().message().find("'y' | dtype. Note: expected int32, got float32"), std::string::npos);
  EXPECT_FALSE(FileExists(MetadataPathFor(config.plan_path)));
}

TEST_F(EngineTrtTest, Fp16PolicyOnStrongTypingNeedsAnFp16Onnx) {
  BuildConfig config = MlpBuild("mlp_fp16.engine");
  config.precision = PrecisionPolicy::kFp16;
  StatusOr<BuildReport> report = BuildEngine(config);
  StatusOr<BuildRecipe> recipe = RecipeFor(PrecisionPolicy::kFp16, TrtVersion{NV_TENSORRT_MAJOR, NV_TENSORRT_MINOR, 0});
  ASSERT_TRUE(recipe.ok());
  if (recipe->requires_fp16_onnx) {
    ASSERT_FALSE(report.ok());
    EXPECT_NE(report.status().message().find("has no FP16 tensors"), std::string::npos);
  } else {
    EXPECT_TRUE(report.ok()) << report.status().ToString();
  }
}

TEST_F(EngineTrtTest, RunnerBindsByNameRunsAndReplaysAGraph) {
  BuildConfig const config = MlpBuild("mlp_run.engine");
  ASSERT_TRUE(BuildEngine(config).ok());
  RunnerOptions options;
  options.plan_path = config.plan_path;
  options.io = MlpSpec();
  StatusOr<std::unique_ptr<EngineRunner>> runner = EngineRunner::Create(options);
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();

  StatusOr<CudaStream> stream = CudaStream::Create();
  ASSERT_TRUE(stream.ok());
  int const batch = 3;
  std::vector<float> x(batch * 4);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.1f * static_cast<float>(i) - 0.5f;
  StatusOr<DeviceBuffer> d_x = DeviceBuffer::Allocate(x.size() * sizeof(float), stream->get());
  StatusOr<DeviceBuffer> d_y = DeviceBuffer::Allocate(batch * 3 * sizeof(float), stream->get());
  ASSERT_TRUE(d_x.ok() && d_y.ok());
  ASSERT_TRUE(d_x->CopyFromHostAsync(x.data(), d_x->size(), stream->get()).ok());

  EXPECT_EQ((*runner)->Enqueue(stream->get()).code(), StatusCode::kFailedPrecondition);   // nothing bound yet
  EXPECT_EQ((*runner)->SetInputShape("x", {9, 4}).code(), StatusCode::kInvalidArgument);  // above the profile
  EXPECT_EQ((*runner)->SetTensorAddress("z", d_x->data()).code(), StatusCode::kNotFound);
  ASSERT_TRUE((*runner)->SetInputShape("x", {batch, 4}).ok());
  ASSERT_TRUE((*runner)->SetTensorAddress("x", d_x->data()).ok());
  ASSERT_TRUE((*runner)->SetTensorAddress("y", d_y->data()).ok());
  StatusOr<Dims> const y_shape = (*runner)->TensorShape("y");
  ASSERT_TRUE(y_shape.ok());
  EXPECT_EQ(*y_shape, (Dims{batch, 3}));

  std::vector<float> y(batch * 3, -1.0f);
  ASSERT_TRUE((*runner)->Enqueue(stream->get()).ok());
  ASSERT_TRUE(d_y->CopyToHostAsync(y.data(), d_y->size(), stream->get()).ok());
  ASSERT_TRUE(stream->Synchronize().ok());
  std::vector<float> const expected = Reference(x, batch);
  for (std::size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], expected[i], 1e-3f) << i;

  ASSERT_TRUE((*runner)->CaptureGraph(stream->get()).ok());
  EXPECT_TRUE((*runner)->HasGraph());
  ASSERT_TRUE(d_y->ZeroAsync(stream->get()).ok());
  ASSERT_TRUE((*runner)->Enqueue(stream->get()).ok());
  ASSERT_TRUE(d_y->CopyToHostAsync(y.data(), d_y->size(), stream->get()).ok());
  ASSERT_TRUE(stream->Synchronize().ok());
  for (std::size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], expected[i], 1e-3f) << i;
  ASSERT_TRUE((*runner)->SetInputShape("x", {2, 4}).ok());
  EXPECT_FALSE((*runner)->HasGraph()) << "a new shape must drop the captured graph";
}

TEST_F(EngineTrtTest, RunnerRejectsAPlanThatBreaksTheContract) {
  BuildConfig const config = MlpBuild("mlp_contract.engine");
  ASSERT_TRUE(BuildEngine(config).ok());
  RunnerOptions options;
  options.plan_path = config.plan_path;
  options.io = MlpSpec();
  options.io.tensors[0].name = "points";
  options.io.profiles[0].shapes = {{"points", {{1, 4}, {4, 4}, {8, 4}}}};
  StatusOr<std::unique_ptr<EngineRunner>> runner = EngineRunner::Create(options);
  ASSERT_FALSE(runner.ok());
  EXPECT_EQ(runner.status().code(), StatusCode::kMismatch);
  EXPECT_NE(runner.status().message().find("missing in engine: [points]"), std::string::npos);
  EXPECT_NE(runner.status().message().find("not declared: [x]"), std::string::npos);
}

}  // namespace
}  // namespace awml::trt
