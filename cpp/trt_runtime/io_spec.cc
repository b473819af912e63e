#include "cpp/trt_runtime/io_spec.h"

#include <set>
#include <sstream>

namespace awml::trt {
namespace {

struct DtypeEntry {
  DataType dtype;
  char const* name;
  std::size_t size;
};

constexpr DtypeEntry kDtypes[] = {
    {DataType::kFloat32, "float32", 4}, {DataType::kFloat16, "float16", 2}, {DataType::kBFloat16, "bfloat16", 2},
    {DataType::kInt8, "int8", 1},       {DataType::kUInt8, "uint8", 1},     {DataType::kInt32, "int32", 4},
    {DataType::kInt64, "int64", 8},     {DataType::kBool, "bool", 1},
};

std::string RoleName(TensorRole role) { return role == TensorRole::kInput ? "input" : "output"; }

std::string JoinNames(std::vector<std::string> const& names) {
  std::string out;
  for (std::string const& name : names) out += (out.empty() ? "" : ", ") + name;
  return "[" + out + "]";
}

bool DimsLessEqual(Dims const& a, Dims const& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
  }
  return true;
}

// Problems of one range against its declared tensor; appended to `problems`.
void CheckRange(TensorSpec const& tensor, ShapeRange const& range, std::string const& where,
                std::vector<std::string>& problems) {
  std::size_t const rank = tensor.dims.size();
  for (auto const* dims : {&range.min, &range.opt, &range.max}) {
    if (dims->size() != rank) {
      problems.push_back(where + " | rank mismatch. Note: expected rank " + std::to_string(rank) + " like " +
                         FormatDims(tensor.dims) + ", got " + FormatDims(*dims));
      return;
    }
    for (std::size_t i = 0; i < rank; ++i) {
      if ((*dims)[i] <= 0) {
        problems.push_back(where + " | profile dims must be positive. Note: got " + FormatDims(*dims));
        return;
      }
      if (tensor.dims[i] >= 0 && (*dims)[i] != tensor.dims[i]) {
        problems.push_back(where + " | profile disagrees with static dim " + std::to_string(i) + ". Note: expected " +
                           FormatDims(tensor.dims) + ", got " + FormatDims(*dims));
        return;
      }
    }
  }
  if (!DimsLessEqual(range.min, range.opt) || !DimsLessEqual(range.opt, range.max)) {
    problems.push_back(where + " | profile must satisfy min <= opt <= max. Note: got min " + FormatDims(range.min) +
                       ", opt " + FormatDims(range.opt) + ", max " + FormatDims(range.max));
  }
}

Status Collect(std::string const& subject, std::vector<std::string> const& problems, StatusCode code) {
  if (problems.empty()) return OkStatus();
  std::string message = subject + " | " + std::to_string(problems.size()) + " problem(s): ";
  for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
  return Status(code, message);
}

bool IsDynamic(Dims const& dims) {
  for (int64_t d : dims) {
    if (d < 0) return true;
  }
  return false;
}

}  // namespace

char const* DataTypeName(DataType dtype) {
  for (DtypeEntry const& entry : kDtypes) {
    if (entry.dtype == dtype) return entry.name;
  }
  return "unknown";
}

StatusOr<DataType> ParseDataType(std::string const& name) {
  static std::map<std::string, DataType> const kAliases = {{"float", DataType::kFloat32},
                                                           {"fp32", DataType::kFloat32},
                                                           {"half", DataType::kFloat16},
                                                           {"fp16", DataType::kFloat16},
                                                           {"bf16", DataType::kBFloat16}};
  for (DtypeEntry const& entry : kDtypes) {
    if (name == entry.name) return entry.dtype;
  }
  auto it = kAliases.find(name);
  if (it != kAliases.end()) return it->second;
  std::vector<std::string> valid;
  for (DtypeEntry const& entry : kDtypes) valid.emplace_back(entry.name);
  return InvalidArgumentError("dtype | unknown dtype '" + name + "'. Note: expected one of " + JoinNames(valid));
}

std::size_t DataTypeSize(DataType dtype) {
  for (DtypeEntry const& entry : kDtypes) {
    if (entry.dtype == dtype) return entry.size;
  }
  return 0;
}

std::string FormatDims(Dims const& dims) {
  std::ostringstream out;
  out << "[";
  for (std::size_t i = 0; i < dims.size(); ++i) out << (i ? ", " : "") << dims[i];
  out << "]";
  return out.str();
}

int64_t ElementCount(Dims const& dims) {
  int64_t count = 1;
  for (int64_t d : dims) {
    if (d < 0) return -1;
    count *= d;
  }
  return count;
}

TensorSpec const* IoSpec::Find(std::string const& name) const {
  for (TensorSpec const& tensor : tensors) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

bool IoSpec::HasDynamicInput() const {
  for (TensorSpec const& tensor : tensors) {
    if (tensor.role == TensorRole::kInput && IsDynamic(tensor.dims)) return true;
  }
  return false;
}

Status ValidateIoSpec(IoSpec const& spec) {
  std::vector<std::string> problems;
  std::set<std::string> names;
  int inputs = 0;
  int outputs = 0;
  for (TensorSpec const& tensor : spec.tensors) {
    if (tensor.name.empty()) problems.push_back("a tensor has an empty name");
    if (!names.insert(tensor.name).second) problems.push_back("tensor '" + tensor.name + "' is declared twice");
    for (int64_t d : tensor.dims) {
      if (d < -1) {
        problems.push_back("tensor '" + tensor.name + "' | dims must be >= -1. Note: got " + FormatDims(tensor.dims));
        break;
      }
    }
    (tensor.role == TensorRole::kInput ? inputs : outputs) += 1;
  }
  if (inputs == 0) problems.push_back("no input tensor declared");
  if (outputs == 0) problems.push_back("no output tensor declared");
  if (spec.HasDynamicInput() && spec.profiles.empty()) {
    problems.push_back("dynamic inputs need at least one optimisation profile");
  }
  for (std::size_t p = 0; p < spec.profiles.size(); ++p) {
    std::string const where = "profile " + std::to_string(p);
    for (auto const& [name, range] : spec.profiles[p].shapes) {
      TensorSpec const* tensor = spec.Find(name);
      if (tensor == nullptr || tensor->role != TensorRole::kInput) {
        problems.push_back(where + " | '" + name + "' is not a declared input");
        continue;
      }
      CheckRange(*tensor, range, where + " '" + name + "'", problems);
    }
    for (TensorSpec const& tensor : spec.tensors) {
      if (tensor.role == TensorRole::kInput && IsDynamic(tensor.dims) &&
          spec.profiles[p].shapes.count(tensor.name) == 0) {
        problems.push_back(where + " | no range for dynamic input '" + tensor.name + "' " + FormatDims(tensor.dims));
      }
    }
  }
  return Collect("io spec", problems, StatusCode::kInvalidArgument);
}

Status ValidateEngineIo(IoSpec const& spec, EngineIo const& engine) {
  std::vector<std::string> problems;
  std::vector<std::string> missing;
  std::vector<std::string> unexpected;
  for (TensorSpec const& declared : spec.tensors) {
    TensorSpec const* actual = nullptr;
    for (TensorSpec const& tensor : engine.tensors) {
      if (tensor.name == declared.name) actual = &tensor;
    }
    if (actual == nullptr) {
      missing.push_back(declared.name);
      continue;
    }
    std::string const where = "tensor '" + declared.name + "'";
    if (actual->role != declared.role) {
      problems.push_back(where + " | role. Note: expected " + RoleName(declared.role) + ", got " +
                         RoleName(actual->role));
    }
    if (actual->dtype != declared.dtype) {
      problems.push_back(where + " | dtype. Note: expected " + DataTypeName(declared.dtype) + ", got " +
                         DataTypeName(actual->dtype));
    }
    bool dims_ok = actual->dims.size() == declared.dims.size();
    for (std::size_t i = 0; dims_ok && i < declared.dims.size(); ++i) {
      dims_ok = declared.dims[i] < 0 || actual->dims[i] == declared.dims[i];
    }
    if (!dims_ok) {
      problems.push_back(where + " | dims. Note: expected " + FormatDims(declared.dims) + ", got " +
                         FormatDims(actual->dims));
    }
  }
  for (TensorSpec const& tensor : engine.tensors) {
    if (spec.Find(tensor.name) == nullptr) unexpected.push_back(tensor.name);
  }
  if (!missing.empty()) problems.push_back("missing in engine: " + JoinNames(missing));
  if (!unexpected.empty()) problems.push_back("not declared: " + JoinNames(unexpected));
  if (engine.profiles.size() != spec.profiles.size() && !spec.profiles.empty()) {
    problems.push_back("profile count. Note: expected " + std::to_string(spec.profiles.size()) + ", got " +
                       std::to_string(engine.profiles.size()));
  } else {
    for (std::size_t p = 0; p < spec.profiles.size(); ++p) {
      for (auto const& [name, range] : spec.profiles[p].shapes) {
        auto it = engine.profiles[p].shapes.find(name);
        std::string const where = "profile " + std::to_string(p) + " '" + name + "'";
        if (it == engine.profiles[p].shapes.end()) {
          problems.push_back(where + " | the engine has no range for it");
        } else if (it->second.min != range.min || it->second.opt != range.opt || it->second.max != range.max) {
          problems.push_back(where + " | range. Note: expected min " + FormatDims(range.min) + " opt " +
                             FormatDims(range.opt) + " max " + FormatDims(range.max) + ", got min " +
                             FormatDims(it->second.min) + " opt " + FormatDims(it->second.opt) + " max " +
                             FormatDims(it->second.max));
        }
      }
    }
  }
  return Collect("engine io", problems, StatusCode::kMismatch);
}

Status ValidateInputShape(TensorSpec const& tensor, ShapeRange const* range, Dims const& dims) {
  std::string const where = "input '" + tensor.name + "'";
  if (tensor.role != TensorRole::kInput) return InvalidArgumentError(where + " | is an output, not an input");
  if (dims.size() != tensor.dims.size()) {
    return InvalidArgumentError(where + " | rank. Note: expected " + FormatDims(tensor.dims) + ", got " +
                                FormatDims(dims));
  }
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (tensor.dims[i] >= 0 && dims[i] != tensor.dims[i]) {
      return InvalidArgumentError(where + " | static dim " + std::to_string(i) + ". Note: expected " +
                                  FormatDims(tensor.dims) + ", got " + FormatDims(dims));
    }
  }
  if (range != nullptr && (!DimsLessEqual(range->min, dims) || !DimsLessEqual(dims, range->max))) {
    return InvalidArgumentError(where + " | outside the optimisation profile. Note: expected between " +
                                FormatDims(range->min) + " and " + FormatDims(range->max) + ", got " +
                                FormatDims(dims));
  }
  return OkStatus();
}

}  // namespace awml::trt
