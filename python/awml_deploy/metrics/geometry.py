"""Matching values between predicted and ground-truth boxes, vectorised over flat arrays of pairs.

Every function takes per-pair arrays (one row per (prediction, ground truth) pair) and returns one value per
pair. Boxes are ego-frame 3D boxes ``center (K, 3)``, ``size (K, 3)`` as (l, w, h) and ``yaw (K,)``, or pixel
boxes ``(K, 4)`` as (x1, y1, x2, y2). The rotated-rectangle intersection area is our own NumPy code (edges
clipped against the other rectangle, then Green's theorem; no per-pair Python); the tests check it against
shapely, which the reference library uses.
"""

from __future__ import annotations

import numpy as np

# Local footprint corners in the order METRICS.md fixes for ground truth: (+l/2, +w/2), (-l/2, +w/2),
# (-l/2, -w/2), (+l/2, -w/2). The order is counter-clockwise.
_CORNER_SIGNS = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])

# Distance (metres) under which an edge counts as lying on the other rectangle's edge line, so that a shared
# boundary (identical or touching boxes) is counted exactly once.
_EPS = 1e-9


def footprint_corners(center: np.ndarray, size: np.ndarray, yaw: np.ndarray) -> np.ndarray:
    """BEV footprint corners of boxes, counter-clockwise, in METRICS.md's ground-truth order.

    Args:
        center (np.ndarray): (K, 3) or (K, 2) box centres.
        size (np.ndarray): (K, 3) or (K, 2) box sizes (l, w, ...).
        yaw (np.ndarray): (K,) yaw about +z from +x, radians.

    Returns:
        np.ndarray: (K, 4, 2) corners.
    """
    half = 0.5 * size[:, None, :2] * _CORNER_SIGNS[None]  # (K, 4, 2) local
    cos, sin = np.cos(yaw)[:, None], np.sin(yaw)[:, None]
    x = half[..., 0] * cos - half[..., 1] * sin + center[:, None, 0]
    y = half[..., 0] * sin + half[..., 1] * cos + center[:, None, 1]
    return np.stack([x, y], axis=-1)


def center_distance_3d(pred_center: np.ndarray, gt_center: np.ndarray) -> np.ndarray:
    """Euclidean centre distance in x, y and z."""
    diff = pred_center - gt_center
    return np.sqrt(np.sum(diff * diff, axis=-1))


def center_distance_bev(pred_center: np.ndarray, gt_center: np.ndarray) -> np.ndarray:
    """Euclidean centre distance in x and y only."""
    diff = pred_center[:, :2] - gt_center[:, :2]
    return np.sqrt(np.sum(diff * diff, axis=-1))


def angle_sorted_corners(corners: np.ndarray, center_xy: np.ndarray) -> np.ndarray:
    """Corners sorted by ``atan2`` angle around the box centre, ascending (the prediction side of PD)."""
    rel = corners - center_xy[:, None, :]
    order = np.argsort(np.arctan2(rel[..., 1], rel[..., 0]), axis=1, kind="stable")
    return np.take_along_axis(corners, order[..., None], axis=1)


def plane_distance(est_corners: np.ndarray, gt_corners: np.ndarray) -> np.ndarray:
    """METRICS.md plane distance for pairs, rounded to 10 decimals.

    Args:
        est_corners (np.ndarray): (K, 4, 2) predicted corners from :func:`angle_sorted_corners`.
        gt_corners (np.ndarray): (K, 4, 2) ground-truth corners in :func:`footprint_corners` order.

    Returns:
        np.ndarray: (K,) plane distances.
    """
    ex, ey = est_corners[..., 0], est_corners[..., 1]
    gx, gy = gt_corners[..., 0], gt_corners[..., 1]
    # Rotation s aligns est[(i + s) % 4] with gt[i]; the first minimum of the summed distances wins.
    best_sum = np.full(len(ex), np.inf)
    best = np.zeros(len(ex), dtype=np.int64)
    for shift in range(4):
        total = np.zeros(len(ex))
        for i in range(4):
            j = (i + shift) % 4
            total = total + np.sqrt((ex[:, j] - gx[:, i]) ** 2 + (ey[:, j] - gy[:, i]) ** 2)
        better = total < best_sum
        best = np.where(better, shift, best)
        best_sum = np.where(better, total, best_sum)
    near = np.argsort(gx * gx + gy * gy, axis=1, kind="stable")[:, :2]  # the two GT corners nearest the ego
    rows = np.arange(len(ex))[:, None]
    matched = (near + best[:, None]) % 4
    squared = (ex[rows, matched] - gx[rows, near]) ** 2 + (ey[rows, matched] - gy[rows, near]) ** 2  # (K, 2)
    return np.round(np.sqrt((squared[:, 0] + squared[:, 1]) / 2.0), 10)


def _inside_lengths(sx, sy, dx, dy, px, py, keep_same_direction: bool) -> np.ndarray:
    """Parameter length (0..1) of each segment that lies inside a convex CCW quadrilateral (Cyrus-Beck).

    Args:
        sx, sy (np.ndarray): (K, 4) segment starts (the edges of one polygon).
        dx, dy (np.ndarray): (K, 4) segment vectors.
        px, py (np.ndarray): (K, 4) the other polygon's corners.
        keep_same_direction (bool): For a segment lying on one of the other polygon's edge lines (within
            1e-9 m), count it as inside when it runs the same way as that edge; otherwise such segments count as
            outside. One polygon keeps shared edges and the other drops them, so a shared boundary is counted
            once and a contact from opposite sides (zero area) not at all.

    Returns:
        np.ndarray: (K, 4) the inside part of each segment as ``t_hi - t_lo`` (0 when outside).
    """
    lo = np.zeros_like(sx)
    hi = np.ones_like(sx)
    outside = np.zeros(sx.shape, dtype=bool)
    for j in range(4):  # the other polygon's edges, one half-plane at a time; arrays stay (K, 4) and contiguous
        qx, qy = px[:, j : j + 1], py[:, j : j + 1]
        ex, ey = px[:, (j + 1) % 4 : (j + 1) % 4 + 1] - qx, py[:, (j + 1) % 4 : (j + 1) % 4 + 1] - qy
        f0 = ex * (sy - qy) - ey * (sx - qx)  # edge length x signed distance of the segment start, > 0 inside
        f1 = f0 + ex * dy - ey * dx
        eps = _EPS * np.sqrt(ex * ex + ey * ey)
        on_line = (np.abs(f0) <= eps) & (np.abs(f1) <= eps)
        if on_line.any():
            flag = np.where(ex * dx + ey * dy > 0, 1.0, -1.0) if keep_same_direction else -1.0
            f0 = np.where(on_line, flag, f0)
            f1 = np.where(on_line, flag, f1)
        in0, in1 = f0 >= 0, f1 >= 0
        with np.errstate(divide="ignore", invalid="ignore"):
            cut = f0 / (f0 - f1)
        lo = np.where(~in0 & in1, np.maximum(lo, cut), lo)
        hi = np.where(in0 & ~in1, np.minimum(hi, cut), hi)
        outside |= ~in0 & ~in1
    return np.where(outside, 0.0, np.maximum(hi - lo, 0.0))


def convex_intersection_area(poly_a: np.ndarray, poly_b: np.ndarray) -> np.ndarray:
    """Area of the intersection of two convex counter-clockwise quadrilaterals per row.

    Green's theorem over the boundary of the intersection, which is made of the parts of each polygon's edges
    that lie inside the other: a straight piece from ``p`` to ``p + s d`` contributes ``s * cross(p, d) / 2``
    in total, so only the inside length ``s`` of every edge is needed (no vertex lists, no sorting).

    Args:
        poly_a (np.ndarray): (K, 4, 2) counter-clockwise corners.
        poly_b (np.ndarray): (K, 4, 2) counter-clockwise corners.

    Returns:
        np.ndarray: (K,) intersection areas (0 where the polygons do not overlap).
    """
    origin = poly_a.mean(axis=1)  # work near the origin to keep products small
    ax, ay = poly_a[..., 0] - origin[:, :1], poly_a[..., 1] - origin[:, 1:]
    bx, by = poly_b[..., 0] - origin[:, :1], poly_b[..., 1] - origin[:, 1:]
    total = np.zeros(len(ax))
    for (ox, oy), (px, py), keep in (((ax, ay), (bx, by), True), ((bx, by), (ax, ay), False)):
        dx, dy = np.roll(ox, -1, axis=1) - ox, np.roll(oy, -1, axis=1) - oy
        length = _inside_lengths(ox, oy, dx, dy, px, py, keep)
        part = length * (ox * dy - oy * dx)
        total += (part[:, 0] + part[:, 1]) + (part[:, 2] + part[:, 3])
    return np.maximum(0.5 * total, 0.0)


def _overlap_candidates(pred_center, pred_size, gt_center, gt_size) -> np.ndarray:
    """Pairs whose circumscribed footprint circles touch; all other pairs have an intersection of exactly 0."""
    radius = 0.5 * (np.hypot(pred_size[:, 0], pred_size[:, 1]) + np.hypot(gt_size[:, 0], gt_size[:, 1]))
    return center_distance_bev(pred_center, gt_center) <= radius * (1.0 + 1e-9) + 1e-9


def bev_intersection(pred_center, pred_size, pred_yaw, gt_center, gt_size, gt_yaw) -> np.ndarray:
    """Footprint intersection areas for pairs of rotated boxes (see :func:`convex_intersection_area`)."""
    inter = np.zeros(len(pred_center))
    cand = np.flatnonzero(_overlap_candidates(pred_center, pred_size, gt_center, gt_size))
    if cand.size:
        poly_p = footprint_corners(pred_center[cand], pred_size[cand], pred_yaw[cand])
        poly_g = footprint_corners(gt_center[cand], gt_size[cand], gt_yaw[cand])
        inter[cand] = convex_intersection_area(poly_p, poly_g)
    return inter


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den``, 0 where ``den`` is 0 (two zero-size boxes)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def iou_bev(pred_center, pred_size, pred_yaw, gt_center, gt_size, gt_yaw, inter=None) -> np.ndarray:
    """BEV IoU: intersection / (l_p w_p + l_g w_g - intersection).

    Args:
        pred_center, pred_size, pred_yaw, gt_center, gt_size, gt_yaw (np.ndarray): Per-pair box arrays.
        inter (np.ndarray | None): Precomputed BEV intersections. Defaults to computing them.

    Returns:
        np.ndarray: (K,) IoU values.
    """
    inter = bev_intersection(pred_center, pred_size, pred_yaw, gt_center, gt_size, gt_yaw) if inter is None else inter
    union = pred_size[:, 0] * pred_size[:, 1] + gt_size[:, 0] * gt_size[:, 1] - inter
    return _safe_ratio(inter, union)


def iou_3d(pred_center, pred_size, pred_yaw, gt_center, gt_size, gt_yaw, inter=None) -> np.ndarray:
    """3D IoU: BEV intersection x vertical overlap / (V_p + V_g - V_intersection).

    Args:
        pred_center, pred_size, pred_yaw, gt_center, gt_size, gt_yaw (np.ndarray): Per-pair box arrays.
        inter (np.ndarray | None): Precomputed BEV intersections. Defaults to computing them.

    Returns:
        np.ndarray: (K,) IoU values.
    """
    inter = bev_intersection(pred_center, pred_size, pred_yaw, gt_center, gt_size, gt_yaw) if inter is None else inter
    top = np.minimum(pred_center[:, 2] + pred_size[:, 2] / 2, gt_center[:, 2] + gt_size[:, 2] / 2)
    bottom = np.maximum(pred_center[:, 2] - pred_size[:, 2] / 2, gt_center[:, 2] - gt_size[:, 2] / 2)
    volume = inter * np.maximum(0.0, top - bottom)
    union = np.prod(pred_size, axis=1) + np.prod(gt_size, axis=1) - volume
    return _safe_ratio(volume, union)


def iou_2d(pred_box: np.ndarray, gt_box: np.ndarray) -> np.ndarray:
    """IoU of axis-aligned pixel boxes (x1, y1, x2, y2); area is (x2 - x1) * (y2 - y1)."""
    w = np.maximum(0.0, np.minimum(pred_box[:, 2], gt_box[:, 2]) - np.maximum(pred_box[:, 0], gt_box[:, 0]))
    h = np.maximum(0.0, np.minimum(pred_box[:, 3], gt_box[:, 3]) - np.maximum(pred_box[:, 1], gt_box[:, 1]))
    inter = w * h
    area_p = (pred_box[:, 2] - pred_box[:, 0]) * (pred_box[:, 3] - pred_box[:, 1])
    area_g = (gt_box[:, 2] - gt_box[:, 0]) * (gt_box[:, 3] - gt_box[:, 1])
    return _safe_ratio(inter, area_p + area_g - inter)


def heading_weight(pred_yaw: np.ndarray, gt_yaw: np.ndarray, legacy_unsigned: bool = False) -> np.ndarray:
    """APH weight ``1 - delta / pi`` with the yaw difference wrapped to [0, pi], rounded to 10 decimals.

    Args:
        pred_yaw (np.ndarray): Predicted yaws, radians.
        gt_yaw (np.ndarray): Matched ground-truth yaws, radians.
        legacy_unsigned (bool): Use ``||yaw_p| - |yaw_g||`` (the pinned commit's behaviour). Defaults to False.

    Returns:
        np.ndarray: Weights in [0, 1].
    """
    pred, gt = _wrap(pred_yaw), _wrap(gt_yaw)
    if legacy_unsigned:
        pred, gt = np.abs(pred), np.abs(gt)
    delta = np.abs(pred - gt)
    delta = np.where(delta > np.pi, 2.0 * np.pi - delta, delta)
    return np.round(np.clip(1.0 - delta / np.pi, 0.0, 1.0), 10)


def _wrap(yaw: np.ndarray) -> np.ndarray:
    """Yaw wrapped to [-pi, pi] (values already inside are returned unchanged)."""
    yaw = np.asarray(yaw, dtype=np.float64)
    inside = (yaw >= -np.pi) & (yaw <= np.pi)
    if inside.all():  # the usual case: nothing to wrap (the same values as below, without the np.mod pass)
        return yaw
    return np.where(inside, yaw, np.mod(yaw + np.pi, 2.0 * np.pi) - np.pi)
