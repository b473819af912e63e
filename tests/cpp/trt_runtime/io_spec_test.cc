#include "cpp/trt_runtime/io_spec.h"

#include <gtest/gtest.h>

#include <string>

namespace awml::trt {
namespace {

// The Autoware CenterPoint encoder contract with a dynamic pillar count.
IoSpec EncoderSpec() {
  IoSpec spec;
  spec.tensors = {{"input_features", TensorRole::kInput, DataType::kFloat32, {-1, 32, 9}},
                  {"pillar_features", TensorRole::kOutput, DataType::kFloat32, {-1, 1, 32}}};
  ProfileSpec profile;
  profile.shapes["input_features"] = {{1, 32, 9}, {20000, 32, 9}, {40000, 32, 9}};
  spec.profiles = {profile};
  return spec;
}

EngineIo MatchingEngine() {
  EngineIo engine;
  engine.tensors = {{"pillar_features", TensorRole::kOutput, DataType::kFloat32, {-1, 1, 32}},
                    {"input_features", TensorRole::kInput, DataType::kFloat32, {-1, 32, 9}}};
  engine.profiles = EncoderSpec().profiles;
  return engine;
}

bool Contains(Status const& status, std::string const& text) {
  return status.message().find(text) != std::string::npos;
}

TEST(DataTypeTest, NamesRoundTripAndSizes) {
  for (DataType dtype : {DataType::kFloat32, DataType::kFloat16, DataType::kBFloat16, DataType::kInt8, DataType::kUInt8,
                         DataType::kInt32, DataType::kInt64, DataType::kBool}) {
    StatusOr<DataType> const parsed = ParseDataType(DataTypeName(dtype));
    ASSERT_TRUE(parsed.ok()) << DataTypeName(dtype);
    EXPECT_EQ(*parsed, dtype);
  }
  EXPECT_EQ(*ParseDataType("fp16"), DataType::kFloat16);
  EXPECT_EQ(DataTypeSize(DataType::kFloat16), 2u);
  EXPECT_EQ(DataTypeSize(DataType::kInt64), 8u);
  StatusOr<DataType> const bad = ParseDataType("float128");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(Contains(bad.status(), "expected one of [float32, float16"));
}

TEST(DimsTest, FormatAndCount) {
  EXPECT_EQ(FormatDims({1, -1, 3}), "[1, -1, 3]");
  EXPECT_EQ(FormatDims({}), "[]");
  EXPECT_EQ(ElementCount({2, 3, 4}), 24);
  EXPECT_EQ(ElementCount({2, -1}), -1);
  EXPECT_EQ(ElementCount({}), 1);
}

TEST(ValidateIoSpecTest, AcceptsEncoderSpec) { EXPECT_TRUE(ValidateIoSpec(EncoderSpec()).ok()); }

TEST(ValidateIoSpecTest, RejectsDuplicateNamesAndMissingOutput) {
  IoSpec spec;
  spec.tensors = {{"x", TensorRole::kInput, DataType::kFloat32, {1}},
                  {"x", TensorRole::kInput, DataType::kFloat32, {1}}};
  Status const status = ValidateIoSpec(spec);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(status, "'x' is declared twice"));
  EXPECT_TRUE(Contains(status, "no output tensor declared"));
}

TEST(ValidateIoSpecTest, DynamicInputNeedsAProfile) {
  IoSpec spec = EncoderSpec();
  spec.profiles.clear();
  EXPECT_TRUE(Contains(ValidateIoSpec(spec), "dynamic inputs need at least one optimisation profile"));
}

TEST(ValidateIoSpecTest, RejectsUnorderedRangeAndStaticDisagreement) {
  IoSpec spec = EncoderSpec();
  spec.profiles[0].shapes["input_features"] = {{10, 32, 9}, {5, 32, 9}, {40000, 32, 9}};
  EXPECT_TRUE(Contains(ValidateIoSpec(spec), "min <= opt <= max"));
  spec.profiles[0].shapes["input_features"] = {{1, 32, 9}, {2, 32, 10}, {40000, 32, 9}};
  EXPECT_TRUE(Contains(ValidateIoSpec(spec), "disagrees with static dim 2"));
  spec.profiles[0].shapes["input_features"] = {{1, 32}, {2, 32}, {3, 32}};
  EXPECT_TRUE(Contains(ValidateIoSpec(spec), "rank mismatch"));
}

TEST(ValidateIoSpecTest, RejectsProfileForUnknownOrOutputTensor) {
  IoSpec spec = EncoderSpec();
  spec.profiles[0].shapes["pillar_features"] = {{1, 1, 32}, {1, 1, 32}, {1, 1, 32}};
  EXPECT_TRUE(Contains(ValidateIoSpec(spec), "'pillar_features' is not a declared input"));
}

TEST(ValidateEngineIoTest, AcceptsSameContractInAnyOrder) {
  EXPECT_TRUE(ValidateEngineIo(EncoderSpec(), MatchingEngine()).ok());
}

TEST(ValidateEngineIoTest, ReportsEveryMismatchAtOnce) {
  EngineIo engine = MatchingEngine();
  engine.tensors[0].dtype = DataType::kFloat16;  // output dtype
  engine.tensors[1].dims = {-1, 32, 10};         // feature count
  engine.tensors.push_back({"extra", TensorRole::kOutput, DataType::kInt32, {1}});
  engine.profiles[0].shapes["input_features"].max = {30000, 32, 9};  // smaller profile
  Status const status = ValidateEngineIo(EncoderSpec(), engine);
  EXPECT_EQ(status.code(), StatusCode::kMismatch);
  EXPECT_TRUE(Contains(status, "4 problem(s)"));
  EXPECT_TRUE(Contains(status, "'pillar_features' | dtype. Note: expected float32, got float16"));
  EXPECT_TRUE(Contains(status, "expected [-1, 32, 9], got [-1, 32, 10]"));
  EXPECT_TRUE(Contains(status, "not declared: [extra]"));
  EXPECT_TRUE(Contains(status, "max [30000, 32, 9]"));
}

TEST(ValidateEngineIoTest, MissingTensorAndRoleSwap) {
  EngineIo engine = MatchingEngine();
  engine.tensors.erase(engine.tensors.begin());
  engine.tensors[0].role = TensorRole::kOutput;
  Status const status = ValidateEngineIo(EncoderSpec(), engine);
  EXPECT_TRUE(Contains(status, "missing in engine: [pillar_features]"));
  EXPECT_TRUE(Contains(status, "role. Note: expected input, got output"));
}

TEST(ValidateEngineIoTest, DeclaredStaticDimMustNotBeDynamicInEngine) {
  IoSpec spec = EncoderSpec();
  spec.tensors[1].dims = {40000, 1, 32};
  EXPECT_TRUE(Contains(ValidateEngineIo(spec, MatchingEngine()), "expected [40000, 1, 32], got [-1, 1, 32]"));
}

TEST(ValidateEngineIoTest, ProfileCountMismatch) {
  EngineIo engine = MatchingEngine();
  engine.profiles.push_back(engine.profiles[0]);
  EXPECT_TRUE(Contains(ValidateEngineIo(EncoderSpec(), engine), "profile count. Note: expected 1, got 2"));
}

TEST(ValidateInputShapeTest, ChecksRankStaticDimsAndRange) {
  IoSpec const spec = EncoderSpec();
  TensorSpec const& input = *spec.Find("input_features");
  ShapeRange const& range = spec.profiles[0].shapes.at("input_features");
  EXPECT_TRUE(ValidateInputShape(input, &range, {1, 32, 9}).ok());
  EXPECT_TRUE(ValidateInputShape(input, &range, {40000, 32, 9}).ok());
  EXPECT_TRUE(Contains(ValidateInputShape(input, &range, {40001, 32, 9}), "outside the optimisation profile"));
  EXPECT_TRUE(Contains(ValidateInputShape(input, &range, {10, 32, 4}), "static dim 2"));
  EXPECT_TRUE(Contains(ValidateInputShape(input, &range, {10, 32}), "rank"));
  EXPECT_TRUE(Contains(ValidateInputShape(*spec.Find("pillar_features"), nullptr, {1, 1, 32}), "is an output"));
}

}  // namespace
}  // namespace awml::trt
