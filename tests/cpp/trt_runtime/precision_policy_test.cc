#include "cpp/trt_runtime/precision_policy.h"

#include <gtest/gtest.h>

#include <string>

namespace awml::trt {
namespace {

constexpr TrtVersion kTrt10Early{10, 8, 0};
constexpr TrtVersion kTrt10Late{10, 16, 0};
constexpr TrtVersion kTrt11{11, 1, 0};

BuildRecipe Recipe(PrecisionPolicy policy, TrtVersion version) {
  StatusOr<BuildRecipe> recipe = RecipeFor(policy, version);
  EXPECT_TRUE(recipe.ok()) << recipe.status().ToString();
  return recipe.ok() ? *recipe : BuildRecipe{};
}

TEST(PrecisionPolicyTest, NamesRoundTrip) {
  for (PrecisionPolicy policy :
       {PrecisionPolicy::kAuto, PrecisionPolicy::kFp16, PrecisionPolicy::kFp32Tf32, PrecisionPolicy::kStronglyTyped}) {
    StatusOr<PrecisionPolicy> const parsed = ParsePrecisionPolicy(PrecisionPolicyName(policy));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, policy);
  }
  StatusOr<PrecisionPolicy> const bad = ParsePrecisionPolicy("int8");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("expected one of [auto, fp16, fp32_tf32, strongly_typed]"), std::string::npos);
}

TEST(PrecisionPolicyTest, Trt10EarlyUsesBuilderFlags) {
  BuildRecipe const fp16 = Recipe(PrecisionPolicy::kFp16, kTrt10Early);
  EXPECT_TRUE(fp16.fp16_flag);
  EXPECT_FALSE(fp16.strongly_typed_network);
  EXPECT_FALSE(fp16.requires_fp16_onnx);
  EXPECT_NE(fp16.mechanism.find("kFP16"), std::string::npos);

  BuildRecipe const tf32 = Recipe(PrecisionPolicy::kFp32Tf32, kTrt10Early);
  EXPECT_TRUE(tf32.tf32_flag);
  EXPECT_FALSE(tf32.fp16_flag);

  BuildRecipe const automatic = Recipe(PrecisionPolicy::kAuto, kTrt10Early);
  EXPECT_FALSE(automatic.fp16_flag || automatic.tf32_flag || automatic.strongly_typed_network);
}

TEST(PrecisionPolicyTest, Trt10StronglyTypedSetsCreationFlag) {
  for (TrtVersion version : {kTrt10Early, kTrt10Late}) {
    BuildRecipe const strong = Recipe(PrecisionPolicy::kStronglyTyped, version);
    EXPECT_TRUE(strong.strongly_typed_network);
    EXPECT_TRUE(strong.set_strongly_typed_flag);
    EXPECT_FALSE(strong.fp16_flag);
  }
}

TEST(PrecisionPolicyTest, Trt10LateFp16AvoidsDeprecatedFlag) {
  BuildRecipe const fp16 = Recipe(PrecisionPolicy::kFp16, kTrt10Late);
  EXPECT_FALSE(fp16.fp16_flag);
  EXPECT_TRUE(fp16.strongly_typed_network);
  EXPECT_TRUE(fp16.set_strongly_typed_flag);
  EXPECT_TRUE(fp16.requires_fp16_onnx);
  EXPECT_NE(fp16.mechanism.find("FP16-converted ONNX"), std::string::npos);
}

TEST(PrecisionPolicyTest, Trt11IsAlwaysStronglyTypedWithoutPrecisionFlags) {
  for (PrecisionPolicy policy :
       {PrecisionPolicy::kAuto, PrecisionPolicy::kFp16, PrecisionPolicy::kFp32Tf32, PrecisionPolicy::kStronglyTyped}) {
    BuildRecipe const recipe = Recipe(policy, kTrt11);
    EXPECT_TRUE(recipe.strongly_typed_network) << PrecisionPolicyName(policy);
    EXPECT_FALSE(recipe.set_strongly_typed_flag) << "kSTRONGLY_TYPED is deprecated and ignored in 11";
    EXPECT_FALSE(recipe.fp16_flag);
  }
  EXPECT_TRUE(Recipe(PrecisionPolicy::kFp16, kTrt11).requires_fp16_onnx);
  EXPECT_TRUE(Recipe(PrecisionPolicy::kFp32Tf32, kTrt11).tf32_flag);
  EXPECT_FALSE(Recipe(PrecisionPolicy::kAuto, kTrt11).requires_fp16_onnx);
}

TEST(PrecisionPolicyTest, RejectsPreTen) {
  StatusOr<BuildRecipe> const old = RecipeFor(PrecisionPolicy::kAuto, TrtVersion{8, 6, 1});
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(old.status().message().find("8.6.1"), std::string::npos);
}

TEST(CheckFp16OnnxTest, NeedsFp16TensorsAndFp32Io) {
  BuildRecipe const fp16 = Recipe(PrecisionPolicy::kFp16, kTrt11);
  EXPECT_TRUE(CheckFp16Onnx(fp16, 12, "").ok());
  Status const plain = CheckFp16Onnx(fp16, 0, "");
  EXPECT_EQ(plain.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(plain.message().find("has no FP16 tensors"), std::string::npos);
  EXPECT_NE(CheckFp16Onnx(fp16, 12, "heatmap (float16)").message().find("heatmap (float16)"), std::string::npos);
  // Policies that do not need a converted ONNX accept any graph.
  EXPECT_TRUE(CheckFp16Onnx(Recipe(PrecisionPolicy::kFp16, kTrt10Early), 0, "").ok());
}

}  // namespace
}  // namespace awml::trt
