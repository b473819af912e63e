#include "cpp/trt_runtime/pybind/metrics_bindings.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cpp/metrics/detection3d.h"
#include "cpp/metrics/frames_json.h"

namespace awml::metrics {
namespace {

namespace py = pybind11;

using Thresholds = std::vector<std::vector<std::vector<double>>>;
using Buckets = std::vector<std::pair<double, double>>;

Detection3DConfig MakeConfig(std::vector<std::string> const& labels, std::vector<std::string> const& modes,
                             Thresholds const& thresholds, double max_abs_x, double max_abs_y, Buckets const& buckets,
                             bool legacy_unsigned_yaw) {
  Detection3DConfig config;
  config.num_labels = static_cast<int>(labels.size());
  for (auto const& name : modes) {
    MatchingMode mode;
    if (!ParseMatchingMode(name, &mode)) throw py::value_error("metrics | unknown matching mode " + name);
    config.modes.push_back(mode);
  }
  config.thresholds = thresholds;
  config.max_abs_x = max_abs_x;
  config.max_abs_y = max_abs_y;
  config.distance_buckets = buckets;
  config.legacy_unsigned_yaw = legacy_unsigned_yaw;
  return config;
}

py::dict LabelDict(LabelScores const& s) {
  py::dict d;
  d["num_gt"] = s.num_gt;
  d["num_pred"] = s.num_pred;
  d["num_tp"] = s.num_tp;
  d["ap"] = s.ap;
  d["aph"] = s.aph;
  d["aph_legacy"] = s.aph_legacy;
  d["mean_ap"] = s.mean_ap;
  d["mean_aph"] = s.mean_aph;
  d["mean_aph_legacy"] = s.mean_aph_legacy;
  return d;
}

py::list ModesList(std::vector<ModeScores> const& modes) {
  py::list out;
  for (auto const& mode : modes) {
    py::list per_label;
    for (auto const& s : mode.per_label) per_label.append(LabelDict(s));
    py::dict d;
    d["per_label"] = per_label;
    d["map"] = mode.map;
    d["maph"] = mode.maph;
    d["maph_legacy"] = mode.maph_legacy;
    out.append(d);
  }
  return out;
}

py::dict ScoresDict(Detection3DScores const& scores) {
  py::list buckets;
  for (auto const& bucket : scores.buckets) buckets.append(ModesList(bucket));
  py::dict d;
  d["modes"] = ModesList(scores.modes);
  d["buckets"] = buckets;
  return d;
}

// Reads with `read` (GIL released), then scores: (False, why) when the reader does not accept the document
// (the caller falls back to the Python path), else (True, scores).
template <typename Read>
py::tuple ReadAndEvaluate(Read read, std::vector<std::string> const& labels, std::vector<std::string> const& modes,
                          Thresholds const& thresholds, double max_abs_x, double max_abs_y, Buckets const& buckets,
                          bool legacy_unsigned_yaw) {
  Detection3DConfig const config =
      MakeConfig(labels, modes, thresholds, max_abs_x, max_abs_y, buckets, legacy_unsigned_yaw);
  Frames3D frames;
  Detection3DScores scores;
  std::string why;
  bool ok = false;
  {
    py::gil_scoped_release release;
    ok = read(&frames, &why) && EvaluateDetection3D(frames, config, &scores, &why);
  }
  if (!ok) return py::make_tuple(false, why);
  return py::make_tuple(true, ScoresDict(scores));
}

py::tuple Detection3DJson(py::bytes const& raw, std::vector<std::string> const& labels,
                          std::vector<std::string> const& modes, Thresholds const& thresholds, double max_abs_x,
                          double max_abs_y, Buckets const& buckets, bool legacy_unsigned_yaw) {
  char* data = nullptr;
  py::ssize_t size = 0;
  if (PYBIND11_BYTES_AS_STRING_AND_SIZE(raw.ptr(), &data, &size) != 0) throw py::error_already_set();
  std::string_view const json(data, static_cast<size_t>(size));  // immutable, and referenced by the caller
  auto read = [&](Frames3D* frames, std::string* why) { return ReadFrames3DJson(json, labels, frames, why); };
  return ReadAndEvaluate(read, labels, modes, thresholds, max_abs_x, max_abs_y, buckets, legacy_unsigned_yaw);
}

py::tuple Detection3DFile(std::string const& path, std::vector<std::string> const& labels,
                          std::vector<std::string> const& modes, Thresholds const& thresholds, double max_abs_x,
                          double max_abs_y, Buckets const& buckets, bool legacy_unsigned_yaw) {
  auto read = [&](Frames3D* frames, std::string* why) { return ReadFrames3DJsonFile(path, labels, frames, why); };
  return ReadAndEvaluate(read, labels, modes, thresholds, max_abs_x, max_abs_y, buckets, legacy_unsigned_yaw);
}

template <typename T>
std::vector<T> Column(py::array_t<T, py::array::c_style | py::array::forcecast> const& a) {
  return std::vector<T>(a.data(), a.data() + a.size());
}

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Ints = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

BoxColumns Side(Ints const& frame, Ints const& label, Doubles const& center, Doubles const& size, Doubles const& yaw,
                Doubles const* score) {
  BoxColumns side;
  side.frame = Column(frame);
  side.label = Column(label);
  side.center = Column(center);
  side.size = Column(size);
  side.yaw = Column(yaw);
  if (score != nullptr) side.score = Column(*score);
  return side;
}

py::dict Detection3DColumns(Ints const& gt_frame, Ints const& gt_label, Doubles const& gt_center,
                            Doubles const& gt_size, Doubles const& gt_yaw, Ints const& pred_frame,
                            Ints const& pred_label, Doubles const& pred_center, Doubles const& pred_size,
                            Doubles const& pred_yaw, Doubles const& pred_score, long long num_frames,
                            std::vector<std::string> const& labels, std::vector<std::string> const& modes,
                            Thresholds const& thresholds, double max_abs_x, double max_abs_y, Buckets const& buckets,
                            bool legacy_unsigned_yaw) {
  const Detection3DConfig config =
      MakeConfig(labels, modes, thresholds, max_abs_x, max_abs_y, buckets, legacy_unsigned_yaw);
  Frames3D frames;
  frames.gt = Side(gt_frame, gt_label, gt_center, gt_size, gt_yaw, nullptr);
  frames.pred = Side(pred_frame, pred_label, pred_center, pred_size, pred_yaw, &pred_score);
  frames.num_frames = num_frames;
  Detection3DScores scores;
  std::string why;
  if (!EvaluateDetection3D(frames, config, &scores, &why)) throw py::value_error("metrics | " + why);
  return ScoresDict(scores);
}

py::dict SideDict(BoxColumns const& side) {
  const py::ssize_t n = static_cast<py::ssize_t>(side.frame.size());
  py::dict d;
  d["frame"] = py::array_t<int64_t>(n, side.frame.data());
  d["label"] = py::array_t<int64_t>(n, side.label.data());
  d["center"] = py::array_t<double>({n, py::ssize_t{3}}, side.center.data());
  d["size"] = py::array_t<double>({n, py::ssize_t{3}}, side.size.data());
  d["yaw"] = py::array_t<double>(n, side.yaw.data());
  if (!side.score.empty() || n == 0) d["score"] = py::array_t<double>(n, side.score.data());
  return d;
}

// The reader alone, for tests against the Python parser: (False, why) or (True, {"gt", "pred", "num_frames"}).
py::tuple ReadFrames3D(py::bytes const& raw, std::vector<std::string> const& labels) {
  Frames3D frames;
  std::string why;
  if (!ReadFrames3DJson(std::string_view(raw), labels, &frames, &why)) return py::make_tuple(false, why);
  py::dict d;
  d["gt"] = SideDict(frames.gt);
  d["pred"] = SideDict(frames.pred);
  d["num_frames"] = frames.num_frames;
  return py::make_tuple(true, d);
}

}  // namespace

void RegisterMetrics(py::module_& m) {
  m.def("metrics_detection3d_json", &Detection3DJson, py::arg("frames_json"), py::arg("labels"), py::arg("modes"),
        py::arg("thresholds"), py::arg("max_abs_x"), py::arg("max_abs_y"), py::arg("distance_buckets"),
        py::arg("legacy_unsigned_yaw"),
        "FRAMES.json bytes -> (True, scores) or (False, why) when the reader does not accept the document.");
  m.def("metrics_detection3d_file", &Detection3DFile, py::arg("path"), py::arg("labels"), py::arg("modes"),
        py::arg("thresholds"), py::arg("max_abs_x"), py::arg("max_abs_y"), py::arg("distance_buckets"),
        py::arg("legacy_unsigned_yaw"),
        "metrics_detection3d_json of the FRAMES.json file at `path`, read by C++ (False also when unreadable).");
  m.def("metrics_detection3d_columns", &Detection3DColumns, py::arg("gt_frame"), py::arg("gt_label"),
        py::arg("gt_center"), py::arg("gt_size"), py::arg("gt_yaw"), py::arg("pred_frame"), py::arg("pred_label"),
        py::arg("pred_center"), py::arg("pred_size"), py::arg("pred_yaw"), py::arg("pred_score"), py::arg("num_frames"),
        py::arg("labels"), py::arg("modes"), py::arg("thresholds"), py::arg("max_abs_x"), py::arg("max_abs_y"),
        py::arg("distance_buckets"), py::arg("legacy_unsigned_yaw"),
        "The native 3D detection engine on parsed columns (labels as indices, -1 for others).");
  m.def("metrics_read_frames3d_json", &ReadFrames3D, py::arg("frames_json"), py::arg("labels"),
        "The native FRAMES.json reader alone: (True, columns) or (False, why).");
}

}  // namespace awml::metrics
