#include "cpp/metrics/geometry3d.h"

#include <cmath>
#include <utility>

namespace awml::metrics {
namespace {

constexpr double kCornerSigns[4][2] = {{1.0, 1.0}, {-1.0, 1.0}, {-1.0, -1.0}, {1.0, -1.0}};
// Distance (metres) under which an edge counts as lying on the other rectangle's edge line.
constexpr double kOnLineEps = 1e-9;

// NumPy's maximum / minimum of two non-NaN values (the first operand on ties, so signed zeros follow NumPy).
double NpMaximum(double a, double b) { return a >= b ? a : b; }
double NpMinimum(double a, double b) { return a <= b ? a : b; }

// Inside part (t_hi - t_lo, 0..1) of segment s + t d against the convex CCW quadrilateral p (Cyrus-Beck).
double InsideLength(double sx, double sy, double dx, double dy, Corners const& p, bool keep_same_direction) {
  double lo = 0.0;
  double hi = 1.0;
  bool outside = false;
  for (int j = 0; j < 4; ++j) {
    double const qx = p[j][0];
    double const qy = p[j][1];
    double const ex = p[(j + 1) % 4][0] - qx;
    double const ey = p[(j + 1) % 4][1] - qy;
    double f0 = ex * (sy - qy) - ey * (sx - qx);
    double f1 = f0 + ex * dy - ey * dx;
    double const eps = kOnLineEps * std::sqrt(ex * ex + ey * ey);
    if (std::fabs(f0) <= eps && std::fabs(f1) <= eps) {
      double const flag = keep_same_direction ? (ex * dx + ey * dy > 0 ? 1.0 : -1.0) : -1.0;
      f0 = flag;
      f1 = flag;
    }
    bool const in0 = f0 >= 0;
    bool const in1 = f1 >= 0;
    double const cut = f0 / (f0 - f1);
    if (!in0 && in1) lo = NpMaximum(lo, cut);
    if (in0 && !in1) hi = NpMinimum(hi, cut);
    outside = outside || (!in0 && !in1);
  }
  return outside ? 0.0 : NpMaximum(hi - lo, 0.0);
}

// Green's theorem over the inside parts of `o`'s edges: sum of length * cross(o_i, d_i), grouped as NumPy adds.
double BoundaryTerm(Corners const& o, Corners const& p, bool keep) {
  double part[4];
  for (int i = 0; i < 4; ++i) {
    double const dx = o[(i + 1) % 4][0] - o[i][0];
    double const dy = o[(i + 1) % 4][1] - o[i][1];
    double const length = InsideLength(o[i][0], o[i][1], dx, dy, p, keep);
    part[i] = length * (o[i][0] * dy - o[i][1] * dx);
  }
  return (part[0] + part[1]) + (part[2] + part[3]);
}

double SafeRatio(double num, double den) { return den > 0 ? num / den : 0.0; }

// The permutation that sorts `key` ascending, ties in index order (NumPy's stable argsort of 4 values).
std::array<int, 4> StableOrder(double const (&key)[4]) {
  std::array<int, 4> order = {0, 1, 2, 3};
  for (int i = 1; i < 4; ++i) {  // insertion sort: stable
    for (int k = i; k > 0 && key[order[k]] < key[order[k - 1]]; --k) std::swap(order[k], order[k - 1]);
  }
  return order;
}

}  // namespace

Corners FootprintCorners(Box3D const& box) {
  double const c = std::cos(box.yaw);
  double const s = std::sin(box.yaw);
  Corners out;
  for (int i = 0; i < 4; ++i) {
    double const hx = 0.5 * box.size[0] * kCornerSigns[i][0];
    double const hy = 0.5 * box.size[1] * kCornerSigns[i][1];
    out[i][0] = hx * c - hy * s + box.center[0];
    out[i][1] = hx * s + hy * c + box.center[1];
  }
  return out;
}

Corners AngleSortedCorners(Corners const& corners, Box3D const& box) {
  double angle[4];
  for (int i = 0; i < 4; ++i) {
    angle[i] = std::atan2(corners[i][1] - box.center[1], corners[i][0] - box.center[0]);
  }
  std::array<int, 4> const order = StableOrder(angle);
  Corners out;
  for (int i = 0; i < 4; ++i) out[i] = corners[order[i]];
  return out;
}

double CenterDistanceBev(Box3D const& pred, Box3D const& gt) {
  double const dx = pred.center[0] - gt.center[0];
  double const dy = pred.center[1] - gt.center[1];
  return std::sqrt(dx * dx + dy * dy);
}

double CenterDistance3d(Box3D const& pred, Box3D const& gt) {
  double const dx = pred.center[0] - gt.center[0];
  double const dy = pred.center[1] - gt.center[1];
  double const dz = pred.center[2] - gt.center[2];
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

double PlaneDistance(Corners const& est, Corners const& gt) {
  // Rotation s aligns est[(i + s) % 4] with gt[i]; the first minimum of the summed distances wins.
  double best_sum = INFINITY;
  int best = 0;
  for (int shift = 0; shift < 4; ++shift) {
    double total = 0.0;
    for (int i = 0; i < 4; ++i) {
      int const j = (i + shift) % 4;
      double const ddx = est[j][0] - gt[i][0];
      double const ddy = est[j][1] - gt[i][1];
      total = total + std::sqrt(ddx * ddx + ddy * ddy);
    }
    if (total < best_sum) {
      best = shift;
      best_sum = total;
    }
  }
  // The two ground-truth corners nearest the ego (a stable order of the squared norms).
  double norm[4];
  for (int i = 0; i < 4; ++i) norm[i] = gt[i][0] * gt[i][0] + gt[i][1] * gt[i][1];
  std::array<int, 4> const order = StableOrder(norm);
  double squared[2];
  for (int n = 0; n < 2; ++n) {
    int const g = order[n];
    int const e = (g + best) % 4;
    double const ddx = est[e][0] - gt[g][0];
    double const ddy = est[e][1] - gt[g][1];
    squared[n] = ddx * ddx + ddy * ddy;
  }
  return NumpyRound10(std::sqrt((squared[0] + squared[1]) / 2.0));
}

double NumpyRound10(double value) { return std::nearbyint(value * 1e10) / 1e10; }

double ConvexIntersectionArea(Corners const& a, Corners const& b) {
  // Work near the origin (the mean of a's corners, summed left to right as NumPy's mean over that axis).
  double const ox = (((a[0][0] + a[1][0]) + a[2][0]) + a[3][0]) / 4.0;
  double const oy = (((a[0][1] + a[1][1]) + a[2][1]) + a[3][1]) / 4.0;
  Corners ra;
  Corners rb;
  for (int i = 0; i < 4; ++i) {
    ra[i] = {a[i][0] - ox, a[i][1] - oy};
    rb[i] = {b[i][0] - ox, b[i][1] - oy};
  }
  double total = 0.0;
  total += BoundaryTerm(ra, rb, true);
  total += BoundaryTerm(rb, ra, false);
  return NpMaximum(0.5 * total, 0.0);
}

double IouBev(Box3D const& pred, Box3D const& gt, double intersection) {
  double const area = pred.size[0] * pred.size[1] + gt.size[0] * gt.size[1];
  return SafeRatio(intersection, area - intersection);
}

double Iou3d(Box3D const& pred, Box3D const& gt, double intersection) {
  double const top = NpMinimum(pred.center[2] + pred.size[2] / 2, gt.center[2] + gt.size[2] / 2);
  double const bottom = NpMaximum(pred.center[2] - pred.size[2] / 2, gt.center[2] - gt.size[2] / 2);
  double const volume = intersection * NpMaximum(0.0, top - bottom);
  double const pred_volume = pred.size[0] * pred.size[1] * pred.size[2];
  double const gt_volume = gt.size[0] * gt.size[1] * gt.size[2];
  return SafeRatio(volume, pred_volume + gt_volume - volume);
}

}  // namespace awml::metrics
