// Config classes and CPU (numpy) entry points of the CenterPoint kernels.
#include "cpp/trt_runtime/pybind/kernel_bindings.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/decode/decode.h"
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"
#include "cpp/plugins/kernels/scatter/scatter.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"

namespace py = pybind11;

namespace awml::kernels {

void ThrowIfError(Status const& status) {
  if (status.ok()) return;
  if (status.code() == StatusCode::kInvalidArgument) throw py::value_error(status.message());
  throw std::runtime_error(status.message());
}

namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using IntArray = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;

void CheckShape(py::array const& a, char const* name, std::vector<py::ssize_t> shape) {
  bool ok = a.ndim() == static_cast<py::ssize_t>(shape.size());
  for (size_t i = 0; ok && i < shape.size(); ++i) ok = shape[i] < 0 || a.shape(i) == shape[i];
  if (ok) return;
  std::string want = "(", got = "(";
  for (auto s : shape) want += (s < 0 ? std::string("*") : std::to_string(s)) + ",";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) got += std::to_string(a.shape(i)) + ",";
  throw py::value_error(std::string(name) + " | wrong shape. Note: expected " + want + "), got " + got + ")");
}

// The first `rows` rows of `full`, as a view that keeps `full` alive.
py::array Head(py::array const& full, int64_t rows) {
  return full[py::slice(0, static_cast<py::ssize_t>(rows), 1)].cast<py::array>();
}

py::dict VoxelCounters(int32_t const* c) {
  py::dict d;
  d["pillar_count"] = c[kPillarCount];
  d["pillars_dropped"] = c[kPillarsDropped];
  d["points_dropped_pillar_full"] = c[kPointsDroppedPillarFull];
  d["points_dropped_no_pillar"] = c[kPointsDroppedNoPillar];
  d["points_out_of_range"] = c[kPointsOutOfRange];
  return d;
}

// Output buffers are allocated only after the kernel's own limits are checked (a bad size is one clear error, never
// an allocation failure), and only when they stay under kMaxOutputFloats.
constexpr int64_t kMaxOutputFloats = int64_t{1} << 30;  // 4 GiB

void CheckOutputSize(char const* what, int64_t a, int64_t b, int64_t c) {
  if (a * b * c <= kMaxOutputFloats) return;  // each factor is already bounded by its own limit: no overflow
  throw py::value_error(std::string(what) + " | output too large. Note: expected at most " +
                        std::to_string(kMaxOutputFloats) + " floats (4 GiB), got " + std::to_string(a) + " x " +
                        std::to_string(b) + " x " + std::to_string(c));
}

py::tuple Voxelize(VoxelizeConfig const& c, FloatArray const& points) {
  PillarGridF grid{};
  ThrowIfError(ValidateVoxelizeConfig(c, &grid));
  CheckOutputSize("voxelize max_pillars * max_points_per_pillar * num_point_features", c.max_pillars,
                  c.max_points_per_pillar, c.num_point_features);
  CheckShape(points, "voxelize points", {-1, c.num_point_features});
  FloatArray pts({static_cast<py::ssize_t>(c.max_pillars), static_cast<py::ssize_t>(c.max_points_per_pillar),
                  static_cast<py::ssize_t>(c.num_point_features)});
  IntArray num(c.max_pillars), coords({static_cast<py::ssize_t>(c.max_pillars), py::ssize_t{3}});
  int32_t counters[kNumVoxelizeCounters] = {};
  Status s;
  {
    py::gil_scoped_release release;
    s = VoxelizeCpu(c, points.data(), points.shape(0),
                    {pts.mutable_data(), num.mutable_data(), coords.mutable_data(), counters});
  }
  ThrowIfError(s);
  int32_t const p = counters[kPillarCount];
  return py::make_tuple(Head(pts, p), Head(num, p), Head(coords, p), VoxelCounters(counters));
}

FloatArray PillarFeatures(PillarFeaturesConfig c, FloatArray const& pillar_points, IntArray const& num,
                          IntArray const& coords) {
  py::ssize_t const p = pillar_points.ndim() == 3 ? pillar_points.shape(0) : 0;
  CheckShape(pillar_points, "pillar_features pillar_points", {-1, c.max_points_per_pillar, c.num_point_features});
  CheckShape(num, "pillar_features points_per_pillar", {p});
  CheckShape(coords, "pillar_features coords", {p, 3});
  c.max_pillars = static_cast<int>(p > 0 ? p : 1);
  PillarGridF grid{};
  ThrowIfError(ValidatePillarFeaturesConfig(c, &grid));
  FloatArray out(
      {p, static_cast<py::ssize_t>(c.max_points_per_pillar), static_cast<py::ssize_t>(PillarFeatureCount(c))});
  int32_t const count = static_cast<int32_t>(p);
  Status s;
  if (p > 0) {
    py::gil_scoped_release release;
    s = PillarFeaturesCpu(c, pillar_points.data(), num.data(), coords.data(), &count, out.mutable_data());
  }
  ThrowIfError(s);
  return out;
}

FloatArray Scatter(ScatterConfig c, FloatArray const& features, IntArray const& coords) {
  CheckShape(features, "scatter pillar_features", {-1, c.num_channels});
  py::ssize_t const p = features.shape(0);
  CheckShape(coords, "scatter coords", {p, 3});
  c.max_pillars = static_cast<int>(p);
  ThrowIfError(ValidateScatterConfig(c));
  CheckOutputSize("scatter num_channels * grid_y * grid_x", c.num_channels, c.grid_y, c.grid_x);
  FloatArray canvas({py::ssize_t{1}, static_cast<py::ssize_t>(c.num_channels), static_cast<py::ssize_t>(c.grid_y),
                     static_cast<py::ssize_t>(c.grid_x)});
  int32_t const count = static_cast<int32_t>(p);
  Status s;
  {
    py::gil_scoped_release release;
    s = ScatterCpu(c, features.data(), coords.data(), &count, canvas.mutable_data());
  }
  ThrowIfError(s);
  return canvas;
}

py::tuple Decode(DecodeConfig const& c, FloatArray const& heatmap, FloatArray const& reg, FloatArray const& height,
                 FloatArray const& dim, FloatArray const& rot, std::optional<FloatArray> const& vel) {
  ThrowIfError(ValidateDecodeConfig(c));
  py::ssize_t const h = c.grid_y, w = c.grid_x;
  CheckShape(heatmap, "decode heatmap", {c.num_classes, h, w});
  CheckShape(reg, "decode reg", {2, h, w});
  CheckShape(height, "decode height", {1, h, w});
  CheckShape(dim, "decode dim", {3, h, w});
  CheckShape(rot, "decode rot", {2, h, w});
  if (vel) CheckShape(*vel, "decode vel", {2, h, w});
  FloatArray boxes({static_cast<py::ssize_t>(c.top_k), static_cast<py::ssize_t>(kBoxFields)});
  int32_t counters[kNumDecodeCounters] = {};
  HeadTensors const t{heatmap.data(), reg.data(), height.data(), dim.data(), rot.data(), vel ? vel->data() : nullptr};
  Status s;
  {
    py::gil_scoped_release release;
    s = DecodeCpu(c, t, {boxes.mutable_data(), counters});
  }
  ThrowIfError(s);
  return py::make_tuple(Head(boxes, counters[kNumBoxes]), counters[kCandidatesDropped]);
}

FloatArray CircleNms(CircleNmsConfig c, FloatArray const& boxes) {
  CheckShape(boxes, "circle_nms boxes", {-1, kBoxFields});
  int32_t const n = static_cast<int32_t>(boxes.shape(0));
  if (n > c.max_boxes) c.max_boxes = n;
  ThrowIfError(ValidateCircleNmsConfig(c));
  FloatArray out({static_cast<py::ssize_t>(std::max(1, std::min(n, c.max_output))), py::ssize_t{kBoxFields}});
  int32_t kept = 0;
  Status s;
  {
    py::gil_scoped_release release;
    s = CircleNmsCpu(c, boxes.data(), &n, out.mutable_data(), &kept);
  }
  ThrowIfError(s);
  return Head(out, kept).cast<FloatArray>();
}

void RegisterConfigs(py::module_& m) {
  py::class_<PillarGrid>(m, "PillarGrid", "Point-cloud range and voxel size (pillars: one z cell).")
      .def(py::init<>())
      .def_readwrite("min_x", &PillarGrid::min_x)
      .def_readwrite("min_y", &PillarGrid::min_y)
      .def_readwrite("min_z", &PillarGrid::min_z)
      .def_readwrite("max_x", &PillarGrid::max_x)
      .def_readwrite("max_y", &PillarGrid::max_y)
      .def_readwrite("max_z", &PillarGrid::max_z)
      .def_readwrite("voxel_x", &PillarGrid::voxel_x)
      .def_readwrite("voxel_y", &PillarGrid::voxel_y)
      .def_readwrite("voxel_z", &PillarGrid::voxel_z)
      .def("shape", [](PillarGrid const& g) {
        PillarGridF f{};
        ThrowIfError(ResolvePillarGrid(g, &f));
        return py::make_tuple(f.ny, f.nx);
      });
  py::class_<VoxelizeConfig>(m, "VoxelizeConfig")
      .def(py::init<>())
      .def_readwrite("grid", &VoxelizeConfig::grid)
      .def_readwrite("num_point_features", &VoxelizeConfig::num_point_features)
      .def_readwrite("max_points_per_pillar", &VoxelizeConfig::max_points_per_pillar)
      .def_readwrite("max_pillars", &VoxelizeConfig::max_pillars)
      .def_property(
          "deterministic", [](VoxelizeConfig const& c) { return c.mode == VoxelizeMode::kDeterministic; },
          [](VoxelizeConfig& c, bool d) { c.mode = d ? VoxelizeMode::kDeterministic : VoxelizeMode::kFast; });
  py::class_<PillarFeaturesConfig>(m, "PillarFeaturesConfig")
      .def(py::init<>())
      .def_readwrite("grid", &PillarFeaturesConfig::grid)
      .def_readwrite("num_point_features", &PillarFeaturesConfig::num_point_features)
      .def_readwrite("max_points_per_pillar", &PillarFeaturesConfig::max_points_per_pillar)
      .def_readwrite("max_pillars", &PillarFeaturesConfig::max_pillars)
      .def_readwrite("use_voxel_center_z", &PillarFeaturesConfig::use_voxel_center_z)
      .def_property_readonly("num_output_features", &PillarFeatureCount);
  py::class_<ScatterConfig>(m, "ScatterConfig")
      .def(py::init<>())
      .def_readwrite("num_channels", &ScatterConfig::num_channels)
      .def_readwrite("grid_x", &ScatterConfig::grid_x)
      .def_readwrite("grid_y", &ScatterConfig::grid_y)
      .def_readwrite("max_pillars", &ScatterConfig::max_pillars)
      .def_readwrite("clear_canvas", &ScatterConfig::clear_canvas);
  py::class_<DecodeConfig>(m, "DecodeConfig")
      .def(py::init<>())
      .def_readwrite("num_classes", &DecodeConfig::num_classes)
      .def_readwrite("grid_x", &DecodeConfig::grid_x)
      .def_readwrite("grid_y", &DecodeConfig::grid_y)
      .def_readwrite("out_size_factor", &DecodeConfig::out_size_factor)
      .def_readwrite("voxel_x", &DecodeConfig::voxel_x)
      .def_readwrite("voxel_y", &DecodeConfig::voxel_y)
      .def_readwrite("min_x", &DecodeConfig::min_x)
      .def_readwrite("min_y", &DecodeConfig::min_y)
      .def_readwrite("score_thresholds", &DecodeConfig::score_thresholds)
      .def_readwrite("yaw_norm_thresholds", &DecodeConfig::yaw_norm_thresholds)
      .def_property(
          "top_k_mode", [](DecodeConfig const& c) { return c.mode == DecodeMode::kTopK; },
          [](DecodeConfig& c, bool t) { c.mode = t ? DecodeMode::kTopK : DecodeMode::kArgmax; })
      .def_readwrite("max_candidates", &DecodeConfig::max_candidates)
      .def_readwrite("top_k", &DecodeConfig::top_k)
      .def_readwrite("use_center_range", &DecodeConfig::use_center_range)
      .def_readwrite("center_range", &DecodeConfig::center_range);
  py::class_<CircleNmsConfig>(m, "CircleNmsConfig")
      .def(py::init<>())
      .def_readwrite("max_boxes", &CircleNmsConfig::max_boxes)
      .def_readwrite("squared_radius", &CircleNmsConfig::squared_radius)
      .def_readwrite("inclusive", &CircleNmsConfig::inclusive)
      .def_readwrite("per_class", &CircleNmsConfig::per_class)
      .def_readwrite("max_output", &CircleNmsConfig::max_output)
      .def_readwrite("input_sorted", &CircleNmsConfig::input_sorted);
}

}  // namespace

void RegisterKernels(py::module_& m) {
  RegisterConfigs(m);
  m.attr("BOX_FIELDS") = py::make_tuple("x", "y", "z", "dx", "dy", "dz", "yaw", "vx", "vy", "score", "label");
  m.attr("MAX_CLASSES") = kMaxClasses;
  m.attr("MAX_CANDIDATES") = kMaxCandidates;
  m.def("voxelize", &Voxelize, py::arg("config"), py::arg("points"),
        "CPU voxelisation -> (pillar_points [P,M,F], points_per_pillar [P], coords [P,3] (z,y,x), counters).");
  m.def("pillar_features", &PillarFeatures, py::arg("config"), py::arg("pillar_points"), py::arg("points_per_pillar"),
        py::arg("coords"), "CPU PointPillars decoration of P pillars -> [P, M, F + 5 or F + 6].");
  m.def("scatter", &Scatter, py::arg("config"), py::arg("pillar_features"), py::arg("coords"),
        "CPU scatter of [P, C] pillar features -> canvas [1, C, H, W].");
  m.def("decode", &Decode, py::arg("config"), py::arg("heatmap"), py::arg("reg"), py::arg("height"), py::arg("dim"),
        py::arg("rot"), py::arg("vel") = py::none(),
        "CPU CenterPoint decode -> (boxes [n, 11] sorted by score, candidates_dropped).");
  m.def("circle_nms", &CircleNms, py::arg("config"), py::arg("boxes"), "CPU circle NMS -> kept boxes [k, 11].");
  RegisterCudaKernels(m);
}

}  // namespace awml::kernels
