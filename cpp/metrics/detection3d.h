// 3D detection metrics (docs/METRICS.md, "Semantics (3D detection)") on columns, in C++: the native twin of
// python/awml_deploy/metrics/detection3d.py for the CLI's fast path.
//
// Every floating-point step is the one the NumPy engine takes, in the same order (footprint corners, centre
// and plane distances, the rotated-rectangle intersection, IoU, the heading weight, the 101-point AP with
// NumPy's interpolation and pairwise summation), so both engines give the same counts, AP and APH. Greedy
// matching is the plain sequential algorithm the NumPy engine vectorises: per label, frame by frame,
// predictions by descending score (ties in input order), each takes the not-yet-used ground truth of its
// frame with the smallest cost (the first in input order on ties), a TP when that cost passes the threshold
// strictly. Pairs the NumPy engine leaves out as provably failing (centre distance at or above the largest
// threshold; plane distance beyond the reach bound; footprints whose circumscribed circles do not touch) get
// the same +inf cost here.
#ifndef AWML_CPP_METRICS_DETECTION3D_H_
#define AWML_CPP_METRICS_DETECTION3D_H_

#include <string>
#include <utility>
#include <vector>

#include "cpp/metrics/frames_json.h"

namespace awml::metrics {

enum class MatchingMode { kCenterDistance3d, kCenterDistanceBev, kPlaneDistance, kIouBev, kIou3d };

// Parses a SETTINGS.json mode name ("center_distance_3d", ...); false for any other name.
[[nodiscard]] bool ParseMatchingMode(std::string const& name, MatchingMode* mode);

struct Detection3DConfig {
  int num_labels = 0;
  std::vector<MatchingMode> modes;                           // in the settings' order
  std::vector<std::vector<std::vector<double>>> thresholds;  // [mode][label] -> the label's thresholds
  double max_abs_x = 100.0;                                  // range filter: |x| < max_abs_x
  double max_abs_y = 100.0;                                  // and |y| < max_abs_y
  std::vector<std::pair<double, double>> distance_buckets;   // BEV radius lo <= r < hi
  bool legacy_unsigned_yaw = false;                          // also APH from ||yaw_p| - |yaw_g||
};

struct LabelScores {
  long long num_gt = 0;
  long long num_pred = 0;
  std::vector<long long> num_tp;  // per threshold
  std::vector<double> ap;         // per threshold; NaN when there is neither ground truth nor prediction
  std::vector<double> aph;
  std::vector<double> aph_legacy;  // empty unless legacy_unsigned_yaw
  double mean_ap = 0.0;            // NaN-skipping means (NaN when every value is NaN)
  double mean_aph = 0.0;
  double mean_aph_legacy = 0.0;
};

struct ModeScores {
  std::vector<LabelScores> per_label;
  double map = 0.0;
  double maph = 0.0;
  double maph_legacy = 0.0;
};

struct Detection3DScores {
  std::vector<ModeScores> modes;                 // aligned with config.modes
  std::vector<std::vector<ModeScores>> buckets;  // one per distance bucket, each aligned with config.modes
};

// Evaluates `frames` (labels already mapped to indices of the settings' labels, -1 for others). False and
// `*why` for a config that does not fit the frames (e.g. a label index beyond num_labels).
[[nodiscard]] bool EvaluateDetection3D(Frames3D const& frames, Detection3DConfig const& config, Detection3DScores* out,
                                       std::string* why);

// The scoring pieces (average_precision.cc), as ap.py and geometry.py compute them.
double NumpyPairwiseSum(double const* values, long long n);
double HeadingWeight(double pred_yaw, double gt_yaw, bool legacy_unsigned);
double AveragePrecision(std::vector<double> const& weight, std::vector<char> const& is_tp, long long num_gt);

}  // namespace awml::metrics

#endif  // AWML_CPP_METRICS_DETECTION3D_H_
