// Precision policy → how the builder realises it, per TensorRT version. TensorRT-free: the builder asks
// for a BuildRecipe and applies it; the table is unit tested here.
//
//   policy          TensorRT 10.0-10.11          TensorRT >= 10.12 (flags deprecated) and 11.x
//   auto            weakly typed, defaults        10.x: weakly typed, defaults; 11.x: strongly typed
//   fp16            weakly typed + kFP16          strongly typed network from an FP16-converted ONNX
//   fp32_tf32       weakly typed + kTF32          10.x: weakly typed + kTF32; 11.x: strongly typed + kTF32
//   strongly_typed  kSTRONGLY_TYPED network       10.x: kSTRONGLY_TYPED; 11.x: strongly typed (always)
//
// kFP16 is marked deprecated from TensorRT 10.12 ("superseded by strong typing") and removed in 11, so
// on those versions `fp16` is met by the Python exporter converting the ONNX to FP16 with fp32 I/O and
// the builder building it strongly typed; the build log names the mechanism used.
#ifndef AWML_CPP_TRT_RUNTIME_PRECISION_POLICY_H_
#define AWML_CPP_TRT_RUNTIME_PRECISION_POLICY_H_

#include <string>

#include "cpp/common/status.h"

namespace awml::trt {

enum class PrecisionPolicy { kAuto, kFp16, kFp32Tf32, kStronglyTyped };

//! "auto", "fp16", "fp32_tf32", "strongly_typed".
char const* PrecisionPolicyName(PrecisionPolicy policy);
StatusOr<PrecisionPolicy> ParsePrecisionPolicy(std::string const& name);

struct TrtVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;

  //! "10.16.0".
  std::string ToString() const;
};

//! What the builder must do for one (policy, TensorRT version).
struct BuildRecipe {
  bool strongly_typed_network = false;   //!< create the network with kSTRONGLY_TYPED (10.x) / always (11.x)
  bool set_strongly_typed_flag = false;  //!< pass NetworkDefinitionCreationFlag::kSTRONGLY_TYPED (10.x only)
  bool fp16_flag = false;                //!< BuilderFlag::kFP16 (only where it is not deprecated)
  bool tf32_flag = false;                //!< BuilderFlag::kTF32
  bool requires_fp16_onnx = false;       //!< the ONNX must already carry FP16 tensors (fp32 I/O)
  std::string mechanism;                 //!< one line for the build log and the report
};

//! Versions below 10.0 are rejected (no IPluginV3, no enqueueV3).
StatusOr<BuildRecipe> RecipeFor(PrecisionPolicy policy, TrtVersion version);

//! Checks a parsed network against a recipe that requires an FP16-converted ONNX: at least one FP16
//! tensor inside, and every network input/output still float32 (the CUDA kernels feed fp32).
//! `num_fp16_tensors` counts FP16 tensors over all layers; `io_non_fp32` names I/O tensors that are not
//! float32 (empty when all are).
Status CheckFp16Onnx(BuildRecipe const& recipe, int num_fp16_tensors, std::string const& io_non_fp32);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_PRECISION_POLICY_H_
