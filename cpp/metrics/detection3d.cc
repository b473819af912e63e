#include "cpp/metrics/detection3d.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include "cpp/metrics/geometry3d.h"

namespace awml::metrics {
namespace {

constexpr size_t kMaxModes = 5;  // every matching mode at most once

bool IsIou(MatchingMode mode) { return mode == MatchingMode::kIouBev || mode == MatchingMode::kIou3d; }

// One side's boxes of one label, with what the costs need per box (computed once, not per pair).
struct LabelBoxes {
  std::vector<long long> frame;
  std::vector<Box3D> box;
  std::vector<double> score;
  std::vector<double> diagonal;  // hypot(l, w)
};

void AddBox(BoxColumns const& side, long long row, LabelBoxes* out) {
  Box3D b;
  for (int k = 0; k < 3; ++k) {
    b.center[k] = side.center[3 * row + k];
    b.size[k] = side.size[3 * row + k];
  }
  b.yaw = side.yaw[row];
  out->frame.push_back(side.frame[row]);
  out->box.push_back(b);
  out->score.push_back(side.score.empty() ? NAN : side.score[row]);
  out->diagonal.push_back(std::hypot(b.size[0], b.size[1]));
}

// The rows kept by the label and range filters (and a bucket's radius when lo < hi).
std::vector<long long> Kept(BoxColumns const& side, Detection3DConfig const& config, double lo, double hi) {
  std::vector<long long> rows;
  long long const n = static_cast<long long>(side.frame.size());
  for (long long r = 0; r < n; ++r) {
    double const x = side.center[3 * r];
    double const y = side.center[3 * r + 1];
    if (side.label[r] < 0 || !(std::fabs(x) < config.max_abs_x) || !(std::fabs(y) < config.max_abs_y)) continue;
    if (lo < hi) {
      double const radius = std::hypot(x, y);
      if (!(radius >= lo && radius < hi)) continue;
    }
    rows.push_back(r);
  }
  return rows;
}

// Matching result of one label: per mode and threshold, per prediction (matching order), the matched ground
// truth (its index among the label's ground truth) or -1.
using Matches = std::vector<std::vector<std::vector<int32_t>>>;  // rows of one label: fewer than 2^31

class LabelMatcher {
 public:
  LabelMatcher(Detection3DConfig const& config, int label) : config_(config), label_(label) {
    for (size_t m = 0; m < config.modes.size(); ++m) {
      MatchingMode const mode = config.modes[m];
      auto const& values = config.thresholds[m][label];
      limit_.push_back(*std::max_element(values.begin(), values.end()));
      loosest_.push_back(IsIou(mode) ? -*std::min_element(values.begin(), values.end()) : limit_.back());
      needs_corners_ = needs_corners_ || mode == MatchingMode::kPlaneDistance || IsIou(mode);
      if (mode == MatchingMode::kCenterDistanceBev || mode == MatchingMode::kCenterDistance3d) {
        fixed_ = std::max(fixed_, limit_[m]);
      } else if (mode == MatchingMode::kPlaneDistance) {
        fixed_ = std::max(fixed_, limit_[m] + 1e-6);
      }
    }
    candidates_.resize(config.modes.size());
    starts_.resize(config.modes.size());
  }

  Matches Match(LabelBoxes const& gt, LabelBoxes const& pred) {
    const size_t num_modes = config_.modes.size();
    Matches matched(num_modes);
    for (size_t m = 0; m < num_modes; ++m) {
      matched[m].assign(config_.thresholds[m][label_].size(), std::vector<int32_t>(pred.box.size(), -1));
    }
    size_t g0 = 0;
    size_t p0 = 0;
    while (p0 < pred.box.size()) {  // frame by frame (both sides frame-major)
      long long const frame = pred.frame[p0];
      size_t p1 = p0;
      while (p1 < pred.box.size() && pred.frame[p1] == frame) ++p1;
      while (g0 < gt.box.size() && gt.frame[g0] < frame) ++g0;
      size_t g1 = g0;
      while (g1 < gt.box.size() && gt.frame[g1] == frame) ++g1;
      if (g1 > g0) MatchFrame(gt, pred, g0, g1, p0, p1, &matched);
      p0 = p1;
      g0 = g1;
    }
    return matched;
  }

 private:
  // Costs of every (prediction, ground truth) pair of one frame, then greedy matching per mode and threshold.
  // Only pairs whose cost passes the mode's loosest threshold are kept as candidates: a pair that fails it
  // can be the minimum only when every remaining candidate fails too (an FP either way, nothing used).
  void MatchFrame(LabelBoxes const& gt, LabelBoxes const& pred, size_t g0, size_t g1, size_t p0, size_t p1,
                  Matches* matched) {
    const size_t num_modes = config_.modes.size();
    const size_t num_gt = g1 - g0;
    const size_t num_pred = p1 - p0;
    for (size_t m = 0; m < num_modes; ++m) {
      candidates_[m].clear();
      starts_[m].assign(1, 0);
    }
    // Footprint corners of this frame's boxes (each box is in one frame: computed once, kept only meanwhile).
    g0_ = g0;
    p0_ = p0;
    gt_corners_.resize(num_gt);
    pred_corners_.resize(num_pred);
    pred_sorted_.resize(num_pred);
    if (needs_corners_) {
      for (size_t g = 0; g < num_gt; ++g) gt_corners_[g] = FootprintCorners(gt.box[g0 + g]);
      for (size_t p = 0; p < num_pred; ++p) {
        pred_corners_[p] = FootprintCorners(pred.box[p0 + p]);
        pred_sorted_[p] = AngleSortedCorners(pred_corners_[p], pred.box[p0 + p]);
      }
    }
    double cost[kMaxModes];
    for (size_t p = 0; p < num_pred; ++p) {
      Box3D const& pb = pred.box[p0 + p];
      for (size_t g = 0; g < num_gt; ++g) {
        // Pairs further apart than every mode's cut-off (with a margin over rounding) have no finite cost.
        double const bev = CenterDistanceBev(pb, gt.box[g0 + g]);
        double const reach = 0.5 * (pred.diagonal[p0 + p] + gt.diagonal[g0 + g]);
        if (bev > (fixed_ + (needs_corners_ ? reach : 0.0)) * (1.0 + 1e-6) + 1e-6) continue;
        PairCosts(gt, pred, g0 + g, p0 + p, bev, reach, cost);
        for (size_t m = 0; m < num_modes; ++m) {
          if (cost[m] < loosest_[m]) candidates_[m].push_back({g, cost[m]});
        }
      }
      for (size_t m = 0; m < num_modes; ++m) starts_[m].push_back(candidates_[m].size());
    }
    for (size_t m = 0; m < num_modes; ++m) {
      if (candidates_[m].empty()) continue;
      bool const iou = IsIou(config_.modes[m]);
      auto const& values = config_.thresholds[m][label_];
      for (size_t t = 0; t < values.size(); ++t) {
        double const threshold = iou ? -values[t] : values[t];
        used_.assign(num_gt, 0);
        auto& out = (*matched)[m][t];
        for (size_t p = 0; p < num_pred; ++p) {
          double best = INFINITY;
          size_t choice = num_gt;
          for (size_t k = starts_[m][p]; k < starts_[m][p + 1]; ++k) {  // ground truth in input order
            Candidate const& c = candidates_[m][k];
            if (!used_[c.gt] && c.cost < best) {
              best = c.cost;
              choice = c.gt;
            }
          }
          if (choice < num_gt && best < threshold) {
            used_[choice] = 1;
            out[p0 + p] = static_cast<int32_t>(g0 + choice);
          }
        }
      }
    }
  }

  // The NumPy engine's pair_costs for one pair: +inf where it provably fails every threshold.
  // `bev` is the pair's centre distance in x and y, `reach` half the sum of both footprints' diagonals.
  void PairCosts(LabelBoxes const& gt, LabelBoxes const& pred, size_t g, size_t p, double bev, double reach,
                 double* cost) {
    Box3D const& pb = pred.box[p];
    Box3D const& gb = gt.box[g];
    bool have_inter = false;
    double inter = 0.0;
    for (size_t m = 0; m < config_.modes.size(); ++m) {
      double const limit = limit_[m];
      double value = INFINITY;
      switch (config_.modes[m]) {
        case MatchingMode::kCenterDistanceBev:
          if (bev < limit) value = bev;
          break;
        case MatchingMode::kCenterDistance3d:
          if (bev < limit) value = CenterDistance3d(pb, gb);
          break;
        case MatchingMode::kPlaneDistance:
          if (bev - reach < limit + 1e-6) value = PlaneDistance(pred_sorted_[p - p0_], gt_corners_[g - g0_]);
          break;
        case MatchingMode::kIouBev:
        case MatchingMode::kIou3d:
          if (bev <= reach * (1.0 + 1e-9) + 1e-9) {
            if (!have_inter) {
              inter = ConvexIntersectionArea(pred_corners_[p - p0_], gt_corners_[g - g0_]);
              have_inter = true;
            }
            value = -(config_.modes[m] == MatchingMode::kIouBev ? IouBev(pb, gb, inter) : Iou3d(pb, gb, inter));
          }
          break;
      }
      cost[m] = value;
    }
  }

  struct Candidate {
    size_t gt;  // within the frame
    double cost;
  };

  Detection3DConfig const& config_;
  int const label_;
  std::vector<double> limit_;    // per mode, the label's largest threshold (the NumPy engine's cut-offs)
  std::vector<double> loosest_;  // per mode, the loosest threshold as a cost (-min for IoU modes)
  std::vector<std::vector<Candidate>> candidates_;  // per mode, the current frame's passing pairs, by prediction
  std::vector<std::vector<size_t>> starts_;         // per mode, each prediction's first candidate
  std::vector<char> used_;
  bool needs_corners_ = false;  // plane distance or IoU among the modes (their cut-offs grow with the reach)
  double fixed_ = 0.0;          // the cut-offs' fixed part: the largest distance threshold (+1e-6 for PD)
  size_t g0_ = 0;               // the current frame's first ground truth and prediction
  size_t p0_ = 0;
  std::vector<Corners> gt_corners_;  // the current frame's footprint corners
  std::vector<Corners> pred_corners_;
  std::vector<Corners> pred_sorted_;  // angle-sorted (the prediction side of plane distance)
};

double NanMean(std::vector<double> const& values) {
  std::vector<double> kept;
  for (double v : values) {
    if (!std::isnan(v)) kept.push_back(v);
  }
  if (kept.empty()) return NAN;
  return NumpyPairwiseSum(kept.data(), static_cast<long long>(kept.size())) / static_cast<double>(kept.size());
}

// Counts, AP and APH of one label in every mode from its matching.
void Score(LabelBoxes const& gt, LabelBoxes const& pred, Matches const& matched, Detection3DConfig const& config,
           std::vector<LabelScores>* per_mode) {
  const size_t n = pred.box.size();
  std::vector<size_t> rank(n);
  std::iota(rank.begin(), rank.end(), 0);
  std::stable_sort(rank.begin(), rank.end(), [&](size_t a, size_t b) { return -pred.score[a] < -pred.score[b]; });
  std::vector<double> yaw(n);  // in ranking order
  for (size_t i = 0; i < n; ++i) yaw[i] = pred.box[rank[i]].yaw;
  // Heading weights by ranked prediction, kept for the ground truth they were computed with: most modes and
  // thresholds match a prediction to the same ground truth.
  std::vector<long long> cached(n, -1);
  std::vector<double> cached_weight(n);
  std::vector<double> cached_legacy(n);
  std::vector<long long> g_of(n);
  std::vector<double> one(n);
  std::vector<double> heading(n);
  std::vector<double> legacy(n);
  std::vector<char> hit(n);
  for (size_t m = 0; m < matched.size(); ++m) {
    LabelScores& s = (*per_mode)[m];
    s.num_gt = static_cast<long long>(gt.box.size());
    s.num_pred = static_cast<long long>(n);
    for (auto const& by_pred : matched[m]) {
      long long tp = 0;
      for (size_t i = 0; i < n; ++i) g_of[i] = by_pred[rank[i]];
      for (size_t i = 0; i < n; ++i) {
        long long const g = g_of[i];
        hit[i] = g >= 0;
        one[i] = g >= 0 ? 1.0 : 0.0;
        heading[i] = 0.0;
        legacy[i] = 0.0;
        if (g < 0) continue;
        ++tp;
        if (cached[i] != g) {
          cached[i] = g;
          cached_weight[i] = HeadingWeight(yaw[i], gt.box[g].yaw, false);
          if (config.legacy_unsigned_yaw) cached_legacy[i] = HeadingWeight(yaw[i], gt.box[g].yaw, true);
        }
        heading[i] = cached_weight[i];
        legacy[i] = cached_legacy[i];
      }
      s.num_tp.push_back(tp);
      s.ap.push_back(AveragePrecision(one, hit, s.num_gt));
      s.aph.push_back(AveragePrecision(heading, hit, s.num_gt));
      if (config.legacy_unsigned_yaw) s.aph_legacy.push_back(AveragePrecision(legacy, hit, s.num_gt));
    }
    s.mean_ap = NanMean(s.ap);
    s.mean_aph = NanMean(s.aph);
    s.mean_aph_legacy = config.legacy_unsigned_yaw ? NanMean(s.aph_legacy) : NAN;
  }
}

std::vector<ModeScores> Evaluate(Frames3D const& frames, Detection3DConfig const& config, double lo, double hi) {
  const size_t num_modes = config.modes.size();
  const std::vector<long long> gt_rows = Kept(frames.gt, config, lo, hi);
  std::vector<long long> pred_rows = Kept(frames.pred, config, lo, hi);
  // Matching order: by label, then frame, then score (highest first), ties in input order.
  auto const& pl = frames.pred.label;
  auto const& pf = frames.pred.frame;
  auto const& ps = frames.pred.score;
  std::stable_sort(pred_rows.begin(), pred_rows.end(), [&](long long a, long long b) {
    if (pl[a] != pl[b]) return pl[a] < pl[b];
    if (pf[a] != pf[b]) return pf[a] < pf[b];
    return -ps[a] < -ps[b];
  });
  std::vector<LabelBoxes> gts(config.num_labels);
  std::vector<LabelBoxes> preds(config.num_labels);
  for (long long r : gt_rows) AddBox(frames.gt, r, &gts[frames.gt.label[r]]);
  for (long long r : pred_rows) AddBox(frames.pred, r, &preds[pl[r]]);
  std::vector<ModeScores> out(num_modes);
  for (auto& mode : out) mode.per_label.resize(config.num_labels);
  for (int label = 0; label < config.num_labels; ++label) {
    LabelMatcher matcher(config, label);
    const Matches matched = matcher.Match(gts[label], preds[label]);
    std::vector<LabelScores> scores(num_modes);
    Score(gts[label], preds[label], matched, config, &scores);
    for (size_t m = 0; m < num_modes; ++m) out[m].per_label[label] = std::move(scores[m]);
  }
  for (auto& mode : out) {
    std::vector<double> ap, aph, legacy;
    for (auto const& s : mode.per_label) {
      ap.push_back(s.mean_ap);
      aph.push_back(s.mean_aph);
      legacy.push_back(s.mean_aph_legacy);
    }
    mode.map = NanMean(ap);
    mode.maph = NanMean(aph);
    mode.maph_legacy = config.legacy_unsigned_yaw ? NanMean(legacy) : NAN;
  }
  return out;
}

}  // namespace

bool ParseMatchingMode(std::string const& name, MatchingMode* mode) {
  static const std::pair<char const*, MatchingMode> kNames[] = {
      {"center_distance_3d", MatchingMode::kCenterDistance3d},
      {"center_distance_bev", MatchingMode::kCenterDistanceBev},
      {"plane_distance", MatchingMode::kPlaneDistance},
      {"iou_bev", MatchingMode::kIouBev},
      {"iou_3d", MatchingMode::kIou3d},
  };
  for (auto const& [text, value] : kNames) {
    if (name == text) {
      *mode = value;
      return true;
    }
  }
  return false;
}

bool EvaluateDetection3D(Frames3D const& frames, Detection3DConfig const& config, Detection3DScores* out,
                         std::string* why) {
  if (config.num_labels <= 0 || config.modes.empty() || config.modes.size() > kMaxModes ||
      config.thresholds.size() != config.modes.size()) {
    *why = "settings: no labels, no modes, more than 5 modes, or thresholds not one list per mode";
    return false;
  }
  for (auto const& per_label : config.thresholds) {
    if (static_cast<int>(per_label.size()) != config.num_labels) {
      *why = "settings: thresholds not one list per label";
      return false;
    }
    for (auto const& values : per_label) {
      if (values.empty()) {
        *why = "settings: an empty threshold list";
        return false;
      }
    }
  }
  for (BoxColumns const* side : {&frames.gt, &frames.pred}) {
    size_t const n = side->frame.size();
    if (n >= static_cast<size_t>(INT32_MAX)) {
      *why = "frames: 2^31 or more objects on one side";
      return false;
    }
    if (side->label.size() != n || side->center.size() != 3 * n || side->size.size() != 3 * n ||
        side->yaw.size() != n || (side == &frames.pred && side->score.size() != n)) {
      *why = "frames: columns of different lengths";
      return false;
    }
    for (size_t r = 0; r < n; ++r) {
      if (side->label[r] >= config.num_labels || (r > 0 && side->frame[r] < side->frame[r - 1])) {
        *why = "frames: a label index beyond the settings' labels, or rows not frame-major";
        return false;
      }
    }
  }
  out->modes = Evaluate(frames, config, 0.0, 0.0);
  out->buckets.clear();
  for (auto const& [lo, hi] : config.distance_buckets) out->buckets.push_back(Evaluate(frames, config, lo, hi));
  return true;
}

}  // namespace awml::metrics
