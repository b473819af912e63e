#include "cpp/trt_runtime/pybind/python_engine.h"

#include <pybind11/numpy.h>

#include <cstring>
#include <vector>

namespace py = pybind11;

namespace awml::trt {
namespace {

py::dtype NumpyDtype(DataType dtype) {
  switch (dtype) {
    case DataType::kInt32:
      return py::dtype::of<int32_t>();
    case DataType::kInt64:
      return py::dtype::of<int64_t>();
    default:
      return py::dtype::of<float>();
  }
}

}  // namespace

PythonEngine::~PythonEngine() = default;

Status PythonEngine::SetInputShape(std::string const& name, Dims const& dims) {
  TensorSpec const* tensor = spec_->io.Find(name);
  if (tensor == nullptr) return NotFoundError("python engine | no tensor '" + name + "'");
  AWML_RETURN_IF_ERROR(ValidateInputShape(*tensor, nullptr, dims));
  shapes_[name] = dims;
  return OkStatus();
}

Status PythonEngine::SetTensorAddress(std::string const& name, void* address) {
  if (spec_->io.Find(name) == nullptr) return NotFoundError("python engine | no tensor '" + name + "'");
  addresses_[name] = address;
  return OkStatus();
}

Status PythonEngine::Run(StreamHandle /*stream*/) {
  int64_t dynamic = -1;
  std::map<std::string, Dims> inputs;
  for (TensorSpec const& tensor : spec_->io.tensors) {
    if (addresses_.count(tensor.name) == 0) {
      return FailedPreconditionError("python engine | tensor '" + tensor.name + "' has no address");
    }
    if (tensor.role != TensorRole::kInput) continue;
    Dims dims = tensor.dims;
    if (ElementCount(dims) < 0) {
      auto it = shapes_.find(tensor.name);
      if (it == shapes_.end()) {
        return FailedPreconditionError("python engine | dynamic input '" + tensor.name + "' has no shape");
      }
      dims = it->second;
      for (std::size_t i = 0; i < dims.size() && dynamic < 0; ++i) {
        if (tensor.dims[i] < 0) dynamic = dims[i];
      }
    }
    inputs[tensor.name] = dims;
  }
  py::gil_scoped_acquire gil;
  try {
    py::dict feed;
    py::capsule borrowed(addresses_.begin()->second, [](void*) {});  // the runtime owns the memory
    for (auto const& [name, dims] : inputs) {
      TensorSpec const* tensor = spec_->io.Find(name);
      feed[py::str(name)] = py::array(NumpyDtype(tensor->dtype), std::vector<py::ssize_t>(dims.begin(), dims.end()),
                                      addresses_.at(name), borrowed);
    }
    py::object result = spec_->run(feed);
    for (TensorSpec const& tensor : spec_->io.tensors) {
      if (tensor.role != TensorRole::kOutput) continue;
      Dims expected = tensor.dims;
      for (int64_t& d : expected) {
        if (d < 0) d = dynamic;
      }
      py::object value = result[py::str(tensor.name)];
      py::array array = py::array::ensure(value, py::array::c_style);
      Dims got;
      if (array) got.assign(array.shape(), array.shape() + array.ndim());
      if (!array || !array.dtype().is(NumpyDtype(tensor.dtype)) || got != expected) {
        return MismatchError("python engine | output '" + tensor.name + "'. Note: expected a " +
                             DataTypeName(tensor.dtype) + " array " + FormatDims(expected) + ", got " +
                             (array ? std::string(py::str(array.dtype())) + " " + FormatDims(got) : "no array"));
      }
      std::memcpy(addresses_.at(tensor.name), array.data(), static_cast<std::size_t>(array.nbytes()));
    }
  } catch (py::error_already_set& err) {
    std::string const what = err.what();
    return InternalError("python engine | the callable raised: " + what);
  } catch (std::exception const& err) {
    return InternalError(std::string("python engine | ") + err.what());
  }
  return OkStatus();
}

}  // namespace awml::trt
