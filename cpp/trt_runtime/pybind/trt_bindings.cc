#include "cpp/trt_runtime/pybind/trt_bindings.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpp/common/status.h"
#include "cpp/trt_runtime/precision_policy.h"

#if AWML_HAVE_TENSORRT
#include "cpp/trt_runtime/cuda_buffer.h"
#include "cpp/trt_runtime/cuda_stream.h"
#include "cpp/trt_runtime/engine_builder.h"
#include "cpp/trt_runtime/engine_runner.h"
#include "cpp/trt_runtime/io_spec.h"
#endif

namespace py = pybind11;

namespace awml::trt {
namespace {

//! The one place a bad Status becomes a Python exception (awml_deploy._native.TrtError).
class TrtError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void ThrowIfError(Status const& status) {
  if (!status.ok()) throw TrtError(status.ToString());
}

template <typename T>
T ValueOrThrow(StatusOr<T> result) {
  ThrowIfError(result.status());
  return std::move(result).value();
}

py::dict RecipeToDict(BuildRecipe const& recipe) {
  py::dict out;
  out["strongly_typed_network"] = recipe.strongly_typed_network;
  out["fp16_flag"] = recipe.fp16_flag;
  out["tf32_flag"] = recipe.tf32_flag;
  out["requires_fp16_onnx"] = recipe.requires_fp16_onnx;
  out["mechanism"] = recipe.mechanism;
  return out;
}

#if AWML_HAVE_TENSORRT

Dims ToDims(py::handle seq) { return seq.cast<std::vector<int64_t>>(); }

// {"inputs": [{"name", "dtype", "shape"}], "outputs": [...], "profiles": [{name: {"min", "opt", "max"}}]}
IoSpec IoSpecFromDict(py::dict const& spec) {
  IoSpec io;
  for (char const* key : {"inputs", "outputs"}) {
    if (!spec.contains(key)) continue;
    for (py::handle item : spec[key]) {
      py::dict tensor = item.cast<py::dict>();
      TensorSpec t;
      t.name = tensor["name"].cast<std::string>();
      t.role = std::string(key) == "inputs" ? TensorRole::kInput : TensorRole::kOutput;
      t.dtype = ValueOrThrow(ParseDataType(tensor["dtype"].cast<std::string>()));
      t.dims = ToDims(tensor["shape"]);
      io.tensors.push_back(std::move(t));
    }
  }
  if (spec.contains("profiles")) {
    for (py::handle item : spec["profiles"]) {
      ProfileSpec profile;
      for (auto [name, range] : item.cast<py::dict>()) {
        py::dict r = range.cast<py::dict>();
        profile.shapes[name.cast<std::string>()] = {ToDims(r["min"]), ToDims(r["opt"]), ToDims(r["max"])};
      }
      io.profiles.push_back(std::move(profile));
    }
  }
  ThrowIfError(ValidateIoSpec(io));
  return io;
}

py::dtype NumpyDtype(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat32:
      return py::dtype::of<float>();
    case DataType::kFloat16:
      return py::dtype("float16");
    case DataType::kInt8:
      return py::dtype::of<int8_t>();
    case DataType::kUInt8:
      return py::dtype::of<uint8_t>();
    case DataType::kInt32:
      return py::dtype::of<int32_t>();
    case DataType::kInt64:
      return py::dtype::of<int64_t>();
    case DataType::kBool:
      return py::dtype::of<bool>();
    case DataType::kBFloat16:
      break;
  }
  throw TrtError("TrtRunner | bfloat16 tensors have no numpy dtype; use infer_device");
}

// EngineRunner + its own stream + device buffers that grow and are reused across calls.
class PyTrtRunner {
 public:
  PyTrtRunner(std::string const& plan_path, py::dict const& io_spec, int profile_index,
              std::vector<std::string> const& plugin_libraries, bool per_layer_profiling)
      : stream_(ValueOrThrow(CudaStream::Create())) {
    RunnerOptions options;
    options.plan_path = plan_path;
    options.io = IoSpecFromDict(io_spec);
    options.profile_index = profile_index;
    options.plugin_libraries = plugin_libraries;
    options.per_layer_profiling = per_layer_profiling;
    runner_ = ValueOrThrow(EngineRunner::Create(options));
  }

  //! Host path: numpy in, numpy out (copies through persistent device buffers; synchronises).
  py::dict Infer(py::dict const& inputs) {
    for (TensorSpec const& tensor : runner_->io().tensors) {
      if (tensor.role != TensorRole::kInput) continue;
      if (!inputs.contains(tensor.name)) throw TrtError("TrtRunner | missing input '" + tensor.name + "'");
      py::array array = py::array::ensure(inputs[tensor.name.c_str()], py::array::c_style);
      if (!array || !array.dtype().is(NumpyDtype(tensor.dtype))) {
        throw TrtError("TrtRunner | input '" + tensor.name + "' must be a C-contiguous " + DataTypeName(tensor.dtype) +
                       " array");
      }
      Dims dims(array.shape(), array.shape() + array.ndim());
      if (ElementCount(tensor.dims) < 0) ThrowIfError(runner_->SetInputShape(tensor.name, dims));
      DeviceBuffer& buffer = Buffer(tensor.name, static_cast<std::size_t>(array.nbytes()));
      ThrowIfError(buffer.CopyFromHostAsync(array.data(), static_cast<std::size_t>(array.nbytes()), stream_.get()));
      ThrowIfError(runner_->SetTensorAddress(tensor.name, buffer.data()));
    }
    std::map<std::string, py::array> outputs;
    for (TensorSpec const& tensor : runner_->io().tensors) {
      if (tensor.role != TensorRole::kOutput) continue;
      Dims const dims = ValueOrThrow(runner_->TensorShape(tensor.name));
      py::array array(NumpyDtype(tensor.dtype), std::vector<py::ssize_t>(dims.begin(), dims.end()));
      DeviceBuffer& buffer = Buffer(tensor.name, static_cast<std::size_t>(array.nbytes()));
      ThrowIfError(runner_->SetTensorAddress(tensor.name, buffer.data()));
      outputs.emplace(tensor.name, std::move(array));
    }
    ThrowIfError(runner_->Enqueue(stream_.get()));
    for (auto& [name, array] : outputs) {
      ThrowIfError(buffers_.at(name).CopyToHostAsync(array.mutable_data(), static_cast<std::size_t>(array.nbytes()),
                                                     stream_.get()));
    }
    ThrowIfError(stream_.Synchronize());
    py::dict result;
    for (auto& [name, array] : outputs) result[py::str(name)] = array;
    return result;
  }

  //! Device path (torch CUDA tensors): {name: data_ptr} for every tensor, {name: shape} for dynamic
  //! inputs, and the caller's stream handle (torch.cuda.current_stream().cuda_stream). No sync.
  void InferDevice(std::map<std::string, uintptr_t> const& addresses,
                   std::map<std::string, std::vector<int64_t>> const& input_shapes, uintptr_t stream) {
    for (auto const& [name, dims] : input_shapes) ThrowIfError(runner_->SetInputShape(name, dims));
    for (auto const& [name, address] : addresses) {
      ThrowIfError(runner_->SetTensorAddress(name, reinterpret_cast<void*>(address)));
    }
    ThrowIfError(runner_->Enqueue(reinterpret_cast<cudaStream_t>(stream)));
  }

  std::vector<int64_t> OutputShape(std::string const& name) const { return ValueOrThrow(runner_->TensorShape(name)); }

  void CaptureGraph(uintptr_t stream) {
    cudaStream_t s = stream != 0 ? reinterpret_cast<cudaStream_t>(stream) : stream_.get();
    ThrowIfError(runner_->CaptureGraph(s));
  }

  std::vector<std::tuple<std::string, float, int>> LayerTimes() const {
    std::vector<std::tuple<std::string, float, int>> out;
    for (LayerTime const& t : runner_->LayerTimes()) out.emplace_back(t.layer, t.total_ms, t.calls);
    return out;
  }

 private:
  DeviceBuffer& Buffer(std::string const& name, std::size_t bytes) {
    DeviceBuffer& buffer = buffers_[name];
    if (buffer.size() < bytes) buffer = ValueOrThrow(DeviceBuffer::Allocate(bytes, stream_.get()));
    return buffer;
  }

  CudaStream stream_;  // declared first: buffers are freed on it
  std::map<std::string, DeviceBuffer> buffers_;
  std::unique_ptr<EngineRunner> runner_;
};

py::dict BuildEngineBinding(std::string const& onnx_path, std::string const& plan_path, py::dict const& io_spec,
                            std::string const& precision, std::size_t workspace_bytes, int builder_optimization_level,
                            int device_index, std::string const& timing_cache_path,
                            std::vector<std::string> const& plugin_libraries, bool write_layer_json,
                            bool force_rebuild) {
  BuildConfig config;
  config.onnx_path = onnx_path;
  config.plan_path = plan_path;
  config.precision = ValueOrThrow(ParsePrecisionPolicy(precision));
  config.io = IoSpecFromDict(io_spec);
  config.workspace_bytes = workspace_bytes;
  config.builder_optimization_level = builder_optimization_level;
  config.device_index = device_index;
  config.timing_cache_path = timing_cache_path;
  config.plugin_libraries = plugin_libraries;
  config.write_layer_json = write_layer_json;
  config.force_rebuild = force_rebuild;
  BuildReport report;
  {
    py::gil_scoped_release release;  // builds take minutes
    StatusOr<BuildReport> built = BuildEngine(config);
    py::gil_scoped_acquire acquire;
    report = ValueOrThrow(std::move(built));
  }
  py::dict out;
  out["plan_path"] = report.plan_path;
  out["metadata_path"] = report.metadata_path;
  out["layer_json_path"] = report.layer_json_path;
  out["reused"] = report.reused;
  out["cache_reason"] = report.cache_reason;
  out["mechanism"] = report.mechanism;
  out["tensorrt_version"] = report.tensorrt_version;
  out["build_seconds"] = report.build_seconds;
  return out;
}

#endif  // AWML_HAVE_TENSORRT

}  // namespace

void RegisterTrt(py::module_& m) {
  py::register_exception<TrtError>(m, "TrtError", PyExc_RuntimeError);

  m.def(
      "precision_recipe",
      [](std::string const& policy, int major, int minor) {
        return RecipeToDict(
            ValueOrThrow(RecipeFor(ValueOrThrow(ParsePrecisionPolicy(policy)), TrtVersion{major, minor, 0})));
      },
      py::arg("policy"), py::arg("trt_major"), py::arg("trt_minor"),
      "How a precision policy is realised on a TensorRT version (flags, strong typing, FP16 ONNX needed).");

#if AWML_HAVE_TENSORRT
  m.attr("TENSORRT_AVAILABLE") = true;
  m.def("tensorrt_status", []() { return std::string("TensorRT available"); });
  m.def("tensorrt_version", &LoadedTensorRtVersion, "Version of the loaded TensorRT library, e.g. \"10.16.0\".");
  m.def("build_engine", &BuildEngineBinding, py::arg("onnx_path"), py::arg("plan_path"), py::arg("io_spec"),
        py::arg("precision") = "auto", py::arg("workspace_bytes") = 0, py::arg("builder_optimization_level") = -1,
        py::arg("device_index") = 0, py::arg("timing_cache_path") = "",
        py::arg("plugin_libraries") = std::vector<std::string>{}, py::arg("write_layer_json") = true,
        py::arg("force_rebuild") = false, "ONNX -> plan through the engine cache; returns the build report as a dict.");
  py::class_<PyTrtRunner>(m, "TrtRunner")
      .def(py::init<std::string const&, py::dict const&, int, std::vector<std::string> const&, bool>(),
           py::arg("plan_path"), py::arg("io_spec"), py::arg("profile_index") = 0,
           py::arg("plugin_libraries") = std::vector<std::string>{}, py::arg("per_layer_profiling") = false)
      .def("infer", &PyTrtRunner::Infer, py::arg("inputs"))
      .def("infer_device", &PyTrtRunner::InferDevice, py::arg("addresses"), py::arg("input_shapes"), py::arg("stream"))
      .def("output_shape", &PyTrtRunner::OutputShape, py::arg("name"))
      .def("capture_graph", &PyTrtRunner::CaptureGraph, py::arg("stream") = 0)
      .def("layer_times", &PyTrtRunner::LayerTimes);
#else
  m.attr("TENSORRT_AVAILABLE") = false;
  m.def("tensorrt_status",
        []() { return std::string("TensorRT not installed (awml_deploy._native was built without TensorRT)"); });
#endif
}

}  // namespace awml::trt
