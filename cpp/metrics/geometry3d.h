// Matching values between two ego-frame 3D boxes, step for step as python/awml_deploy/metrics/geometry.py
// computes them with NumPy (same operations in the same order, libm's sin, cos, atan2 and hypot), so that
// the native engine's costs are the NumPy engine's.
#ifndef AWML_CPP_METRICS_GEOMETRY3D_H_
#define AWML_CPP_METRICS_GEOMETRY3D_H_

#include <array>

namespace awml::metrics {

using Corners = std::array<std::array<double, 2>, 4>;  // BEV footprint corners, (x, y) each

struct Box3D {
  double center[3];
  double size[3];  // l, w, h
  double yaw;
};

// Counter-clockwise corners in METRICS.md's ground-truth order: (+l/2, +w/2), (-l/2, +w/2), (-l/2, -w/2),
// (+l/2, -w/2), rotated by yaw and moved to the centre.
Corners FootprintCorners(Box3D const& box);

// `corners` sorted by atan2 angle around the box centre, ascending, ties kept (the prediction side of PD).
Corners AngleSortedCorners(Corners const& corners, Box3D const& box);

double CenterDistanceBev(Box3D const& pred, Box3D const& gt);
double CenterDistance3d(Box3D const& pred, Box3D const& gt);

// METRICS.md plane distance rounded to 10 decimals: `est` from AngleSortedCorners, `gt` from FootprintCorners.
double PlaneDistance(Corners const& est, Corners const& gt);

// Area of the intersection of two convex counter-clockwise quadrilaterals (0 when they do not overlap).
double ConvexIntersectionArea(Corners const& a, Corners const& b);

// numpy.round(value, 10): rint(value * 1e10) / 1e10.
double NumpyRound10(double value);

double IouBev(Box3D const& pred, Box3D const& gt, double intersection);
double Iou3d(Box3D const& pred, Box3D const& gt, double intersection);

}  // namespace awml::metrics

#endif  // AWML_CPP_METRICS_GEOMETRY3D_H_
