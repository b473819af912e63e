#include "cpp/trt_runtime/precision_policy.h"

namespace awml::trt {
namespace {

constexpr struct {
  PrecisionPolicy policy;
  char const* name;
} kPolicies[] = {{PrecisionPolicy::kAuto, "auto"},
                 {PrecisionPolicy::kFp16, "fp16"},
                 {PrecisionPolicy::kFp32Tf32, "fp32_tf32"},
                 {PrecisionPolicy::kStronglyTyped, "strongly_typed"}};

// kFP16 and the other weak-typing flags carry TRT_DEPRECATED_ENUM from this minor version on.
constexpr int kWeakTypingDeprecatedMinor = 12;

}  // namespace

char const* PrecisionPolicyName(PrecisionPolicy policy) {
  for (auto const& entry : kPolicies) {
    if (entry.policy == policy) return entry.name;
  }
  return "unknown";
}

StatusOr<PrecisionPolicy> ParsePrecisionPolicy(std::string const& name) {
  for (auto const& entry : kPolicies) {
    if (name == entry.name) return entry.policy;
  }
  return InvalidArgumentError("precision | unknown policy '" + name +
                              "'. Note: expected one of [auto, fp16, fp32_tf32, strongly_typed]");
}

std::string TrtVersion::ToString() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

StatusOr<BuildRecipe> RecipeFor(PrecisionPolicy policy, TrtVersion version) {
  if (version.major < 10) {
    return UnavailableError("precision | TensorRT " + version.ToString() +
                            " is not supported. Note: expected 10.x or 11.x (IPluginV3, enqueueV3)");
  }
  bool const always_strong = version.major >= 11;
  bool const flags_deprecated = always_strong || version.minor >= kWeakTypingDeprecatedMinor;
  BuildRecipe recipe;
  recipe.strongly_typed_network = always_strong;
  switch (policy) {
    case PrecisionPolicy::kAuto:
      recipe.mechanism = always_strong ? "auto: strongly typed network (TensorRT 11 has no weak typing)"
                                       : "auto: TensorRT defaults (weakly typed, no precision flags)";
      break;
    case PrecisionPolicy::kFp16:
      if (flags_deprecated) {
        recipe.strongly_typed_network = true;
        recipe.requires_fp16_onnx = true;
        recipe.mechanism =
            "fp16: strongly typed network from an FP16-converted ONNX with fp32 I/O (builder flag "
            "kFP16 is deprecated/removed in TensorRT " +
            version.ToString() + ")";
      } else {
        recipe.fp16_flag = true;
        recipe.mechanism = "fp16: builder flag kFP16 on a weakly typed network";
      }
      break;
    case PrecisionPolicy::kFp32Tf32:
      recipe.tf32_flag = true;
      recipe.mechanism = always_strong ? "fp32_tf32: strongly typed fp32 network + builder flag kTF32"
                                       : "fp32_tf32: builder flag kTF32 on a weakly typed network";
      break;
    case PrecisionPolicy::kStronglyTyped:
      recipe.strongly_typed_network = true;
      recipe.mechanism = always_strong ? "strongly_typed: strongly typed network (always on in TensorRT 11)"
                                       : "strongly_typed: network created with kSTRONGLY_TYPED";
      break;
  }
  // The creation flag exists only as a request on 10.x; on 11.x it is deprecated and ignored.
  recipe.set_strongly_typed_flag = recipe.strongly_typed_network && !always_strong;
  return recipe;
}

Status CheckFp16Onnx(BuildRecipe const& recipe, int num_fp16_tensors, std::string const& io_non_fp32) {
  if (!recipe.requires_fp16_onnx) return OkStatus();
  if (num_fp16_tensors == 0) {
    return InvalidArgumentError(
        "precision fp16 | the ONNX has no FP16 tensors. Note: expected an FP16-converted ONNX (the exporter's fp16 "
        "conversion with fp32 I/O), got an fp32 graph; " +
        recipe.mechanism);
  }
  if (!io_non_fp32.empty()) {
    return InvalidArgumentError("precision fp16 | network I/O must stay float32. Note: expected float32, got " +
                                io_non_fp32);
  }
  return OkStatus();
}

}  // namespace awml::trt
