// AP, the heading weight and NumPy's summation, as python/awml_deploy/metrics/ap.py and geometry.py compute
// them (declared in detection3d.h).
#include <algorithm>
#include <cmath>
#include <vector>

#include "cpp/metrics/detection3d.h"
#include "cpp/metrics/geometry3d.h"

namespace awml::metrics {
namespace {

constexpr int kRecallLevels = 101;
constexpr int kMinRecallIndex = 11;  // level 0.10 itself is excluded
constexpr double kMinPrecision = 0.1;
constexpr double kPi = 3.141592653589793;

// numpy.interp(x, xp, fp, left=fp[0], right=0) for non-decreasing xp: j is the last index with xp[j] <= x.
double Interp(double x, std::vector<double> const& xp, std::vector<double> const& fp) {
  long long const n = static_cast<long long>(xp.size());
  if (x > xp[n - 1]) return 0.0;
  if (x < xp[0]) return fp[0];
  long long const j = static_cast<long long>(std::upper_bound(xp.begin(), xp.end(), x) - xp.begin()) - 1;
  if (j == n - 1 || xp[j] == x) return fp[j];
  double const slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  double value = slope * (x - xp[j]) + fp[j];
  if (std::isnan(value)) {
    value = slope * (x - xp[j + 1]) + fp[j + 1];
    if (std::isnan(value) && fp[j] == fp[j + 1]) value = fp[j];
  }
  return value;
}

// numpy.mod(yaw + pi, 2 pi) - pi for a yaw outside [-pi, pi]; inside values are returned unchanged.
double Wrap(double yaw) {
  if (yaw >= -kPi && yaw <= kPi) return yaw;
  double const b = 2.0 * kPi;
  double mod = std::fmod(yaw + kPi, b);
  if (mod != 0.0) {
    if (mod < 0) mod += b;
  } else {
    mod = 0.0;
  }
  return mod - kPi;
}

}  // namespace

double NumpyPairwiseSum(double const* a, long long n) {
  if (n < 8) {
    double res = -0.0;
    for (long long i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    long long i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  long long n2 = n / 2;
  n2 -= n2 % 8;
  return NumpyPairwiseSum(a, n2) + NumpyPairwiseSum(a + n2, n - n2);
}

double HeadingWeight(double pred_yaw, double gt_yaw, bool legacy_unsigned) {
  double pred = Wrap(pred_yaw);
  double gt = Wrap(gt_yaw);
  if (legacy_unsigned) {
    pred = std::fabs(pred);
    gt = std::fabs(gt);
  }
  double delta = std::fabs(pred - gt);
  if (delta > kPi) delta = 2.0 * kPi - delta;
  double weight = 1.0 - delta / kPi;
  weight = weight < 0.0 ? 0.0 : (weight > 1.0 ? 1.0 : weight);
  return NumpyRound10(weight);
}

double AveragePrecision(std::vector<double> const& weight, std::vector<char> const& is_tp, long long num_gt) {
  long long const n = static_cast<long long>(weight.size());
  if (n == 0) return num_gt == 0 ? NAN : 0.0;
  std::vector<double> recall(n);
  std::vector<double> envelope(n);
  double tp = 0.0;
  long long fp = 0;
  for (long long i = 0; i < n; ++i) {
    tp += weight[i];
    fp += is_tp[i] ? 0 : 1;
    double const denominator = tp + static_cast<double>(fp);
    envelope[i] = denominator == 0.0 ? 0.0 : tp / denominator;  // the precision, then its envelope below
    recall[i] = num_gt > 0 ? tp / static_cast<double>(num_gt) : 0.0;
  }
  for (long long i = n - 2; i >= 0; --i) envelope[i] = std::max(envelope[i], envelope[i + 1]);
  double floored[kRecallLevels - kMinRecallIndex];
  for (int k = kMinRecallIndex; k < kRecallLevels; ++k) {
    double const level = k == kRecallLevels - 1 ? 1.0 : static_cast<double>(k) * (1.0 / (kRecallLevels - 1));
    double const value = Interp(level, recall, envelope) - kMinPrecision;
    floored[k - kMinRecallIndex] = value < 0 ? 0.0 : value;
  }
  int const count = kRecallLevels - kMinRecallIndex;
  double const ap = NumpyPairwiseSum(floored, count) / count / (1.0 - kMinPrecision);
  return ap < 0.0 ? 0.0 : (ap > 1.0 ? 1.0 : ap);
}

}  // namespace awml::metrics
