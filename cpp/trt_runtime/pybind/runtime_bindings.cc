#include "cpp/trt_runtime/pybind/runtime_bindings.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "cpp/common/status.h"
#include "cpp/trt_runtime/centerpoint_runtime.h"
#include "cpp/trt_runtime/pybind/python_engine.h"

#if AWML_WITH_CUDA
#include "cpp/trt_runtime/cuda_stream.h"
#endif
#if AWML_HAVE_TENSORRT
#include "cpp/trt_runtime/trt_engine.h"
#endif

namespace py = pybind11;

namespace awml::trt {
namespace {

//! A bad Status or bad settings of the runtime binding (awml_deploy._native.RuntimeError_).
class RuntimeBindingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void ThrowIfError(Status const& status) {
  if (!status.ok()) throw RuntimeBindingError(status.ToString());
}

// The settings keys: the Python side builds exactly these (projects/centerpoint/runtime_backend.py).
std::set<std::string> const kRequired = {
    "point_cloud_range",  "voxel_size",         "num_point_features", "max_points_per_pillar",
    "max_pillars",        "use_voxel_center_z", "encoder_channels",   "out_size_factor",
    "has_velocity",       "num_classes",        "score_thresholds",   "top_k",
    "nms_squared_radius", "nms_inclusive",      "max_output",         "rot_y_axis_reference"};
std::set<std::string> const kOptional = {"mode",         "deterministic", "yaw_norm_thresholds", "max_candidates",
                                         "top_k_mode",   "center_range",  "nms_per_class",       "max_points",
                                         "return_heads", "tensor_names",  "plugin_libraries"};

std::string Join(std::set<std::string> const& names) {
  std::string out;
  for (std::string const& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

template <typename T>
T Get(py::dict const& s, char const* key) {
  try {
    return s[key].cast<T>();
  } catch (py::cast_error const&) {
    throw RuntimeBindingError(std::string("CenterPointRuntime settings | '") + key +
                              "' has the wrong type. Note: got " + std::string(py::str(py::type::of(s[key]))));
  }
}

template <std::size_t N>
void GetArray(py::dict const& s, char const* key, std::size_t count, std::array<float, N>& out) {
  auto values = Get<std::vector<float>>(s, key);
  if (values.size() != count) {
    throw RuntimeBindingError(std::string("CenterPointRuntime settings | '") + key + "' needs " +
                              std::to_string(count) + " values. Note: got " + std::to_string(values.size()));
  }
  out.fill(0.0f);
  std::copy(values.begin(), values.end(), out.begin());
}

CenterPointConfig ConfigFromSettings(py::dict const& s) {
  std::set<std::string> keys;
  for (auto item : s) keys.insert(item.first.cast<std::string>());
  std::set<std::string> missing, unknown;
  for (std::string const& k : kRequired) {
    if (keys.count(k) == 0) missing.insert(k);
  }
  for (std::string const& k : keys) {
    if (kRequired.count(k) == 0 && kOptional.count(k) == 0) unknown.insert(k);
  }
  if (!missing.empty() || !unknown.empty()) {
    throw RuntimeBindingError("CenterPointRuntime settings | keys differ from the binding's. Note: missing [" +
                              Join(missing) + "], unknown [" + Join(unknown) + "]");
  }
  CenterPointConfig c;
  std::string const mode = s.contains("mode") ? Get<std::string>(s, "mode") : "two_engines";
  if (mode != "two_engines" && mode != "single_engine") {
    throw RuntimeBindingError("CenterPointRuntime settings | mode. Note: expected two_engines|single_engine, got " +
                              mode);
  }
  c.mode = mode == "two_engines" ? CenterPointMode::kTwoEngines : CenterPointMode::kSingleEngine;
  auto r = Get<std::vector<double>>(s, "point_cloud_range");
  auto v = Get<std::vector<double>>(s, "voxel_size");
  if (r.size() != 6 || v.size() != 3) {
    throw RuntimeBindingError("CenterPointRuntime settings | point_cloud_range needs 6 and voxel_size 3 values");
  }
  kernels::PillarGrid& g = c.voxelize.grid;
  g.min_x = r[0], g.min_y = r[1], g.min_z = r[2], g.max_x = r[3], g.max_y = r[4], g.max_z = r[5];
  g.voxel_x = v[0], g.voxel_y = v[1], g.voxel_z = v[2];
  c.voxelize.num_point_features = Get<int>(s, "num_point_features");
  c.voxelize.max_points_per_pillar = Get<int>(s, "max_points_per_pillar");
  c.voxelize.max_pillars = Get<int>(s, "max_pillars");
  bool const deterministic = !s.contains("deterministic") || Get<bool>(s, "deterministic");
  c.voxelize.mode = deterministic ? kernels::VoxelizeMode::kDeterministic : kernels::VoxelizeMode::kFast;
  c.use_voxel_center_z = Get<bool>(s, "use_voxel_center_z");
  c.encoder_channels = Get<int>(s, "encoder_channels");
  c.out_size_factor = Get<int>(s, "out_size_factor");
  c.has_velocity = Get<bool>(s, "has_velocity");
  c.decode.num_classes = Get<int>(s, "num_classes");
  if (c.decode.num_classes < 1 || c.decode.num_classes > kernels::kMaxClasses) {
    throw RuntimeBindingError("CenterPointRuntime settings | num_classes. Note: expected 1.." +
                              std::to_string(kernels::kMaxClasses) + ", got " + std::to_string(c.decode.num_classes));
  }
  auto const classes = static_cast<std::size_t>(c.decode.num_classes);
  GetArray(s, "score_thresholds", classes, c.decode.score_thresholds);
  if (s.contains("yaw_norm_thresholds")) GetArray(s, "yaw_norm_thresholds", classes, c.decode.yaw_norm_thresholds);
  bool const top_k_mode = !s.contains("top_k_mode") || Get<bool>(s, "top_k_mode");
  c.decode.mode = top_k_mode ? kernels::DecodeMode::kTopK : kernels::DecodeMode::kArgmax;
  c.decode.max_candidates = s.contains("max_candidates") ? Get<int>(s, "max_candidates") : kernels::kMaxCandidates;
  c.decode.top_k = Get<int>(s, "top_k");
  if (s.contains("center_range") && !Get<std::vector<float>>(s, "center_range").empty()) {
    c.decode.use_center_range = true;
    GetArray(s, "center_range", 6, c.decode.center_range);
  }
  c.nms.squared_radius = Get<float>(s, "nms_squared_radius");
  c.nms.inclusive = Get<bool>(s, "nms_inclusive");
  c.nms.per_class = s.contains("nms_per_class") && Get<bool>(s, "nms_per_class");
  c.nms.max_output = Get<int>(s, "max_output");
  if (s.contains("max_points")) c.max_points = Get<int64_t>(s, "max_points");
  c.rot_y_axis_reference = Get<bool>(s, "rot_y_axis_reference");
  c.return_heads = s.contains("return_heads") && Get<bool>(s, "return_heads");
  if (s.contains("plugin_libraries")) c.plugin_libraries = Get<std::vector<std::string>>(s, "plugin_libraries");
  if (s.contains("tensor_names")) {
    auto names = Get<std::map<std::string, std::string>>(s, "tensor_names");
    CenterPointTensorNames& t = c.names;
    std::map<std::string, std::string*> const fields{{"encoder_input", &t.encoder_input},
                                                     {"encoder_output", &t.encoder_output},
                                                     {"head_input", &t.head_input},
                                                     {"coords", &t.coords},
                                                     {"num_pillars", &t.num_pillars},
                                                     {"heatmap", &t.heatmap},
                                                     {"reg", &t.reg},
                                                     {"height", &t.height},
                                                     {"dim", &t.dim},
                                                     {"rot", &t.rot},
                                                     {"vel", &t.vel}};
    for (auto const& [key, value] : names) {
      auto it = fields.find(key);
      if (it == fields.end()) throw RuntimeBindingError("CenterPointRuntime settings | unknown tensor name " + key);
      *it->second = value;
    }
  }
  return c;
}

// {"inputs": [{"name", "dtype", "shape"}], "outputs": [...]}; -1 marks a dynamic dim.
IoSpec IoFromDict(py::dict const& spec) {
  IoSpec io;
  for (char const* key : {"inputs", "outputs"}) {
    if (!spec.contains(key)) throw RuntimeBindingError(std::string("PythonEngine io | missing '") + key + "'");
    for (py::handle item : spec[key]) {
      py::dict tensor = item.cast<py::dict>();
      TensorSpec t;
      t.name = tensor["name"].cast<std::string>();
      t.role = std::string(key) == "inputs" ? TensorRole::kInput : TensorRole::kOutput;
      StatusOr<DataType> dtype = ParseDataType(tensor["dtype"].cast<std::string>());
      ThrowIfError(dtype.status());
      t.dtype = *dtype;
      if (t.dtype != DataType::kFloat32 && t.dtype != DataType::kInt32 && t.dtype != DataType::kInt64) {
        throw RuntimeBindingError("PythonEngine io | tensor '" + t.name +
                                  "' dtype. Note: expected float32|int32|int64, got " + DataTypeName(t.dtype));
      }
      t.dims = tensor["shape"].cast<std::vector<int64_t>>();
      io.tensors.push_back(std::move(t));
    }
  }
  return io;
}

using EngineSource = std::variant<std::shared_ptr<PythonEngineSpec>, std::string>;

class PyCenterPointRuntime {
 public:
  PyCenterPointRuntime(py::dict const& settings, std::vector<EngineSource> const& engines, std::string const& device)
      : config_(ConfigFromSettings(settings)) {
    StatusOr<CenterPointPlan> plan = PlanCenterPoint(config_);
    ThrowIfError(plan.status());
    plan_ = *plan;
    if (device != "cpu" && device != "cuda") {
      throw RuntimeBindingError("CenterPointRuntime | device. Note: expected cpu|cuda, got " + device);
    }
    std::size_t const wanted = config_.mode == CenterPointMode::kTwoEngines ? 2 : 1;
    if (engines.size() != wanted) {
      throw RuntimeBindingError("CenterPointRuntime | engines. Note: expected " + std::to_string(wanted) +
                                " (encoder, head) or (single), got " + std::to_string(engines.size()));
    }
    RuntimeDevice const where = device == "cuda" ? RuntimeDevice::kCuda : RuntimeDevice::kCpu;
    StreamHandle stream = nullptr;
#if AWML_WITH_CUDA
    if (where == RuntimeDevice::kCuda) {
      StatusOr<CudaStream> created = CudaStream::Create();
      ThrowIfError(created.status());
      stream_ = std::make_unique<CudaStream>(std::move(created).value());
      stream = stream_->get();
    }
#endif
    std::vector<std::unique_ptr<Engine>> opened;
    for (EngineSource const& source : engines) opened.push_back(Open(source));
    std::unique_ptr<Engine> second = opened.size() > 1 ? std::move(opened[1]) : nullptr;
    StatusOr<std::unique_ptr<CenterPointRuntime>> runtime =
        CenterPointRuntime::Create(config_, std::move(opened[0]), std::move(second), where, stream);
    ThrowIfError(runtime.status());
    runtime_ = std::move(runtime).value();
  }

  py::dict Detect(py::array_t<float, py::array::c_style | py::array::forcecast> const& points) {
    int const f = config_.voxelize.num_point_features;
    if (points.ndim() != 2 || points.shape(1) != f) {
      throw RuntimeBindingError("CenterPointRuntime | points. Note: expected float32 [N, " + std::to_string(f) +
                                "], got ndim " + std::to_string(points.ndim()));
    }
    StatusOr<CenterPointDetections> result = Status(StatusCode::kInternal, "not run");
    {
      py::gil_scoped_release release;  // PythonEngine takes the GIL back only around its call
      result = runtime_->Detect(points.data(), points.shape(0));
    }
    ThrowIfError(result.status());
    CenterPointDetections const& d = *result;
    py::array_t<float> boxes({static_cast<py::ssize_t>(d.boxes.size()), static_cast<py::ssize_t>(kernels::kBoxFields)});
    for (std::size_t i = 0; i < d.boxes.size(); ++i) {
      std::copy(d.boxes[i].begin(), d.boxes[i].end(), boxes.mutable_data(i, 0));
    }
    py::dict out;
    out["boxes"] = boxes;
    out["num_pillars"] = d.num_pillars;
    out["pillars_dropped"] = d.pillars_dropped;
    out["points_out_of_range"] = d.points_out_of_range;
    out["candidates_dropped"] = d.candidates_dropped;
    py::dict heads;
    for (auto const& [name, values] : d.heads) {
      py::ssize_t const plane = py::ssize_t{plan_.head_y} * plan_.head_x;
      py::array_t<float> array({py::ssize_t{1}, static_cast<py::ssize_t>(values.size()) / plane,
                                py::ssize_t{plan_.head_y}, py::ssize_t{plan_.head_x}});
      std::copy(values.begin(), values.end(), array.mutable_data());
      heads[py::str(name)] = array;
    }
    out["heads"] = heads;
    return out;
  }

  //! Per-iteration wall times (ms) of points in → Preprocess → Postprocess → Download, the engines excluded:
  //! one full Detect first (real head tensors in the buffers), then `repeats` times the pre + post stages with
  //! the single host synchronisation of Download.
  std::vector<double> TimePrePost(py::array_t<float, py::array::c_style | py::array::forcecast> const& points,
                                  int repeats) {
    if (repeats < 1) throw RuntimeBindingError("CenterPointRuntime | repeats must be >= 1");
    Detect(points);
    std::vector<double> times;
    Status status;
    {
      py::gil_scoped_release release;
      for (int i = 0; i < repeats && status.ok(); ++i) {
        auto const start = std::chrono::steady_clock::now();
        status = runtime_->CopyPoints(points.data(), points.shape(0));
        if (status.ok()) status = runtime_->Preprocess(runtime_->points_buffer(), points.shape(0));
        if (status.ok()) status = runtime_->Postprocess();
        if (status.ok()) status = runtime_->Download().status();
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      }
    }
    ThrowIfError(status);
    return times;
  }

  std::string Device() const { return runtime_->device() == RuntimeDevice::kCuda ? "cuda" : "cpu"; }

 private:
  std::unique_ptr<Engine> Open(EngineSource const& source) {
    if (auto const* spec = std::get_if<std::shared_ptr<PythonEngineSpec>>(&source)) {
      return std::make_unique<PythonEngine>(*spec);
    }
#if AWML_HAVE_TENSORRT
    RunnerOptions options;
    options.plan_path = std::get<std::string>(source);
    if (config_.mode == CenterPointMode::kSingleEngine) options.plugin_libraries = config_.plugin_libraries;
    CenterPointPlan const* plan = &plan_;
    // The plan's contract for the engine in this slot is checked again by CenterPointRuntime::Create.
    options.io = config_.mode == CenterPointMode::kSingleEngine ? plan->single_io
                 : opened_ == 0                                 ? plan->encoder_io
                                                                : plan->head_io;
    ++opened_;
    StatusOr<std::unique_ptr<Engine>> engine = OpenTrtEngine(options);
    ThrowIfError(engine.status());
    return std::move(engine).value();
#else
    throw RuntimeBindingError("CenterPointRuntime | engine plan " + std::get<std::string>(source) +
                              ". Note: expected a PythonEngine (this extension was built without TensorRT)");
#endif
  }

  CenterPointConfig config_;
  CenterPointPlan plan_;
#if AWML_WITH_CUDA
  std::unique_ptr<CudaStream> stream_;  // declared before the runtime: destroyed after it
#endif
  int opened_ = 0;
  std::unique_ptr<CenterPointRuntime> runtime_;
};

}  // namespace

void RegisterRuntime(py::module_& m) {
  py::register_exception<RuntimeBindingError>(m, "RuntimeBindingError", PyExc_RuntimeError);
  m.attr("RUNTIME_CUDA_BUILT") = CenterPointRuntime::CudaBuilt();
  py::class_<PythonEngineSpec, std::shared_ptr<PythonEngineSpec>>(
      m, "PythonEngine",
      "A Python callable run(feed: dict[str, ndarray]) -> Mapping[str, ndarray] as a runtime engine.")
      .def(py::init([](py::object run, py::dict const& io) {
             if (!PyCallable_Check(run.ptr())) throw RuntimeBindingError("PythonEngine | run must be callable");
             auto spec = std::make_shared<PythonEngineSpec>();
             spec->run = std::move(run);
             spec->io = IoFromDict(io);
             return spec;
           }),
           py::arg("run"), py::arg("io"))
      .def_property_readonly("input_names",
                             [](PythonEngineSpec const& s) {
                               std::vector<std::string> out;
                               for (TensorSpec const& t : s.io.tensors) {
                                 if (t.role == TensorRole::kInput) out.push_back(t.name);
                               }
                               return out;
                             })
      .def_property_readonly("output_names", [](PythonEngineSpec const& s) {
        std::vector<std::string> out;
        for (TensorSpec const& t : s.io.tensors) {
          if (t.role == TensorRole::kOutput) out.push_back(t.name);
        }
        return out;
      });
  py::class_<PyCenterPointRuntime>(m, "CenterPointRuntime",
                                   "points -> boxes: the C++ CenterPoint runtime on cpu or cuda around its engines.")
      .def(py::init<py::dict const&, std::vector<EngineSource> const&, std::string const&>(), py::arg("settings"),
           py::arg("engines"), py::arg("device") = "cpu")
      .def("detect", &PyCenterPointRuntime::Detect, py::arg("points"))
      .def("time_pre_post", &PyCenterPointRuntime::TimePrePost, py::arg("points"), py::arg("repeats"),
           "Wall ms per iteration of pre + post processing (engines excluded, one host sync each).")
      .def_property_readonly("device", &PyCenterPointRuntime::Device);
}

}  // namespace awml::trt
