// The declared I/O contract of an engine (names, roles, dtypes, dims, optimisation profiles) and its
// validation. TensorRT-free: the runner converts what the engine reports into EngineIo and calls
// ValidateEngineIo, so every check here is unit tested without TensorRT.
#ifndef AWML_CPP_TRT_RUNTIME_IO_SPEC_H_
#define AWML_CPP_TRT_RUNTIME_IO_SPEC_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cpp/common/status.h"

namespace awml::trt {

enum class DataType { kFloat32, kFloat16, kBFloat16, kInt8, kUInt8, kInt32, kInt64, kBool };

//! "float32", "float16", "bfloat16", "int8", "uint8", "int32", "int64", "bool".
char const* DataTypeName(DataType dtype);
//! Inverse of DataTypeName; also accepts the numpy aliases "float", "half", "fp32", "fp16".
StatusOr<DataType> ParseDataType(std::string const& name);
//! Bytes per element.
std::size_t DataTypeSize(DataType dtype);

//! Tensor dimensions; -1 marks a dynamic dimension.
using Dims = std::vector<int64_t>;

//! "[1, 32, -1]".
std::string FormatDims(Dims const& dims);
//! Product of the dims; -1 if any dim is dynamic (negative).
int64_t ElementCount(Dims const& dims);

enum class TensorRole { kInput, kOutput };

struct TensorSpec {
  std::string name;
  TensorRole role = TensorRole::kInput;
  DataType dtype = DataType::kFloat32;
  Dims dims;
};

struct ShapeRange {
  Dims min;
  Dims opt;
  Dims max;
};

//! One optimisation profile: a shape range for each dynamic input, keyed by input name.
struct ProfileSpec {
  std::map<std::string, ShapeRange> shapes;
};

//! The contract an engine must satisfy. Tensors are matched by name only; their order is irrelevant.
struct IoSpec {
  std::vector<TensorSpec> tensors;
  std::vector<ProfileSpec> profiles;

  //! nullptr when no tensor of that name is declared.
  TensorSpec const* Find(std::string const& name) const;
  bool HasDynamicInput() const;
};

//! Checks the spec itself: unique non-empty names, dims >= -1, at least one input and one output,
//! every profile names only declared inputs, covers every dynamic input, has matching ranks,
//! agrees with static dims and satisfies 0 < min <= opt <= max; a spec with dynamic inputs has at least
//! one profile.
Status ValidateIoSpec(IoSpec const& spec);

//! What a built or deserialised engine reports, converted from TensorRT by the runner.
struct EngineIo {
  std::vector<TensorSpec> tensors;    //!< dims as the engine reports them (-1 = dynamic)
  std::vector<ProfileSpec> profiles;  //!< per profile, the range of every input with a dynamic dim
};

//! Checks `engine` against `spec`: same tensor names (missing and unexpected ones are listed), same
//! role, dtype and rank; a declared static dim must be static and equal in the engine; the engine must
//! have as many profiles as declared and each declared range must equal the engine's. All mismatches
//! are reported in one message.
Status ValidateEngineIo(IoSpec const& spec, EngineIo const& engine);

//! Checks a concrete runtime shape for a declared input against `range` (nullptr for a static input):
//! rank, static dims and min <= dims <= max.
Status ValidateInputShape(TensorSpec const& tensor, ShapeRange const* range, Dims const& dims);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_IO_SPEC_H_
