"""3D detection evaluation (METRICS.md, "Semantics (3D detection)"), with optional BEV distance buckets."""

from __future__ import annotations

from typing import Any

import numpy as np

from awml_deploy.metrics import geometry
from awml_deploy.metrics.ap import average_precision, nan_mean, ranking
from awml_deploy.metrics.frames import Boxes3D
from awml_deploy.metrics.matching import matching_order
from awml_deploy.metrics.results import Detection3DResult, DistanceBucketResult, LabelDetectionResult, ModeResult
from awml_deploy.metrics.schema import parse_boxes_3d
from awml_deploy.metrics.settings import IOU_MODES, Detection3DSettings, parse_detection3d_settings
from awml_deploy.metrics.sparse import match_label


def evaluate_detection3d(frames: Any, settings: Any) -> Detection3DResult:
    """Scores 3D detections against ground truth for every matching mode in the settings.

    Args:
        frames (Any): ``{"frames": [...]}``, a list of frame dicts (FRAMES.json schema) or of :class:`Frame3D`.
        settings (Any): A :class:`Detection3DSettings` or a SETTINGS.json dict.

    Returns:
        Detection3DResult: Per mode, per label and per threshold counts, AP and APH, means, mAP and mAPH;
        plus one result per distance bucket when ``settings.distance_buckets`` is set.
    """
    settings = parse_detection3d_settings(settings)
    gt, pred, num_frames = parse_boxes_3d(frames, settings.labels)
    return evaluate_boxes3d(gt, pred, num_frames, settings)


def evaluate_boxes3d(gt: Boxes3D, pred: Boxes3D, num_frames: int, settings: Detection3DSettings) -> Detection3DResult:
    """:func:`evaluate_detection3d` on already parsed columns (label filter and range filter applied here)."""
    gt, pred = (_filtered(side, settings) for side in (gt, pred))
    buckets = []
    for lo, hi in settings.distance_buckets:
        in_gt, in_pred = (_in_bucket(side, lo, hi) for side in (gt, pred))
        buckets.append(
            DistanceBucketResult(lo, hi, _evaluate(gt.select(in_gt), pred.select(in_pred), num_frames, settings))
        )
    return Detection3DResult(_evaluate(gt, pred, num_frames, settings), tuple(buckets))


def _filtered(boxes: Boxes3D, settings: Detection3DSettings) -> Boxes3D:
    """Label filter then the strict range filter ``|x| < max_abs_x and |y| < max_abs_y`` on box centres."""
    keep = boxes.label >= 0
    keep &= np.abs(boxes.center[:, 0]) < settings.max_abs_x
    keep &= np.abs(boxes.center[:, 1]) < settings.max_abs_y
    return boxes.select(keep)


def _in_bucket(boxes: Boxes3D, lo: float, hi: float) -> np.ndarray:
    radius = np.hypot(boxes.center[:, 0], boxes.center[:, 1])
    return (radius >= lo) & (radius < hi)


def _evaluate(gt: Boxes3D, pred: Boxes3D, num_frames: int, settings: Detection3DSettings) -> dict[str, ModeResult]:
    modes = tuple(settings.thresholds)
    per_mode: dict[str, dict[str, LabelDetectionResult]] = {mode: {} for mode in modes}
    for index, label in enumerate(settings.labels):
        thresholds = {mode: settings.thresholds[mode][label] for mode in modes}
        label_results = _evaluate_label(
            label,
            gt.select(gt.label == index),
            pred.select(pred.label == index),
            num_frames,
            thresholds,
            settings.legacy_unsigned_yaw,
        )
        for mode in modes:
            per_mode[mode][label] = label_results[mode]
    out = {}
    for mode, per_label in per_mode.items():
        legacy = (
            nan_mean(r.mean_aph_legacy_unsigned_yaw for r in per_label.values())
            if settings.legacy_unsigned_yaw
            else None
        )
        out[mode] = ModeResult(
            mode,
            per_label,
            nan_mean(r.mean_ap for r in per_label.values()),
            nan_mean(r.mean_aph for r in per_label.values()),
            legacy,
        )
    return out


def pair_costs(
    thresholds: dict[str, tuple[float, ...]], gt: Boxes3D, pred: Boxes3D, pair_pred: np.ndarray, pair_gt: np.ndarray
) -> np.ndarray:
    """(M, K) matching cost of each pair for each mode: the distance, or ``-IoU`` for IoU modes.

    Pairs that provably cannot pass the mode's largest threshold get ``+inf`` without computing the value:
    a distance >= every threshold, or footprints that cannot touch (IoU exactly 0). Greedy matching picks
    the same ground truth and the same TP/FP either way, because such a pair can only be chosen when every
    remaining candidate fails too.
    """
    modes = tuple(thresholds)
    pc, gc = pred.center[pair_pred], gt.center[pair_gt]
    bev = geometry.center_distance_bev(pc, gc)
    reach = 0.5 * (
        np.hypot(pred.size[:, 0], pred.size[:, 1])[pair_pred] + np.hypot(gt.size[:, 0], gt.size[:, 1])[pair_gt]
    )
    costs = np.full((len(modes), len(pair_pred)), np.inf)
    pred_corners = geometry.footprint_corners(pred.center, pred.size, pred.yaw)  # once per box, not per pair
    gt_corners = geometry.footprint_corners(gt.center, gt.size, gt.yaw)
    inter, inter_rows = None, None
    for m, mode in enumerate(modes):
        limit = max(thresholds[mode])
        if mode == "center_distance_bev":
            rows = np.flatnonzero(bev < limit)
            costs[m, rows] = bev[rows]
            continue
        if mode == "center_distance_3d":
            rows = np.flatnonzero(bev < limit)  # the 3D distance is never below the BEV one
            costs[m, rows] = geometry.center_distance_3d(pc[rows], gc[rows])
            continue
        if mode == "plane_distance":
            rows = np.flatnonzero(bev - reach < limit + 1e-6)  # PD >= centre distance - both half-diagonals
            est = geometry.angle_sorted_corners(pred_corners, pred.center[:, :2])
            costs[m, rows] = geometry.plane_distance(est[pair_pred[rows]], gt_corners[pair_gt[rows]])
            continue
        if inter is None:  # footprints whose circumscribed circles touch; every other pair has IoU 0
            inter_rows = np.flatnonzero(bev <= reach * (1.0 + 1e-9) + 1e-9)
            inter = geometry.convex_intersection_area(
                pred_corners[pair_pred[inter_rows]], gt_corners[pair_gt[inter_rows]]
            )
        p, g = pair_pred[inter_rows], pair_gt[inter_rows]
        iou = geometry.iou_bev if mode == "iou_bev" else geometry.iou_3d
        costs[m, inter_rows] = -iou(
            pred.center[p], pred.size[p], pred.yaw[p], gt.center[g], gt.size[g], gt.yaw[g], inter=inter
        )
    return costs


def _candidate_bound(thresholds: dict[str, tuple[float, ...]]) -> tuple[float, bool]:
    """``(fixed, uses_reach)``: every pair further apart than ``fixed + reach_p + reach_g`` costs ``+inf``.

    Mirrors the cut-offs of :func:`pair_costs`: centre distances below the largest threshold; plane distance
    below the threshold plus both half-diagonals; IoU only where the circumscribed circles touch.
    """
    fixed, uses_reach = 0.0, False
    for mode, values in thresholds.items():
        if mode in ("center_distance_bev", "center_distance_3d"):
            fixed = max(fixed, max(values))
        elif mode == "plane_distance":
            fixed, uses_reach = max(fixed, max(values) + 1e-6), True
        else:
            uses_reach = True
    return fixed, uses_reach


def _evaluate_label(
    label: str, gt: Boxes3D, pred: Boxes3D, num_frames: int, thresholds: dict[str, tuple[float, ...]], legacy_yaw: bool
) -> dict[str, LabelDetectionResult]:
    modes = tuple(thresholds)
    pred = pred.select(matching_order(pred.frame, pred.score))
    width = max(len(t) for t in thresholds.values())
    limits = np.full((len(modes), width), np.nan)
    for m, mode in enumerate(modes):
        values = np.asarray(thresholds[mode], dtype=np.float64)
        limits[m, : len(values)] = -values if mode in IOU_MODES else values
    fixed, uses_reach = _candidate_bound(thresholds)
    pred_reach, gt_reach = (
        0.5 * np.hypot(side.size[:, 0], side.size[:, 1]) if uses_reach else np.zeros(len(side.frame))
        for side in (pred, gt)
    )
    tp, matched = match_label(
        pred.frame,
        gt.frame,
        num_frames,
        pred.center[:, :2],
        gt.center[:, :2],
        pred_reach,
        gt_reach,
        fixed,
        lambda pp, pg: pair_costs(thresholds, gt, pred, pp, pg),
        limits,
        np.column_stack([gt.center, gt.size, gt.yaw]),
    )
    rank = ranking(pred.score)
    tp, matched = tp[..., rank], matched[..., rank]
    yaw_p = pred.yaw[rank]

    def heading_weights(hit: np.ndarray, gt_row: np.ndarray, legacy_unsigned: bool) -> np.ndarray:
        weight = np.zeros(hit.shape)
        t, i = np.nonzero(hit)
        weight[t, i] = geometry.heading_weight(yaw_p[i], gt.yaw[gt_row[t, i]], legacy_unsigned)
        return weight

    out = {}
    for m, mode in enumerate(modes):
        count = len(thresholds[mode])
        hit = tp[m, :count]
        ap = average_precision(hit.astype(np.float64), hit, len(gt.frame))
        aph = average_precision(heading_weights(hit, matched[m, :count], False), hit, len(gt.frame))
        legacy = None
        if legacy_yaw:
            legacy_w = heading_weights(hit, matched[m, :count], True)
            legacy = tuple(float(v) for v in average_precision(legacy_w, hit, len(gt.frame)))
        num_tp = hit.sum(axis=1)
        out[mode] = LabelDetectionResult(
            label=label,
            thresholds=tuple(thresholds[mode]),
            num_gt=len(gt.frame),
            num_pred=len(pred.frame),
            num_tp=tuple(int(v) for v in num_tp),
            num_fp=tuple(int(len(pred.frame) - v) for v in num_tp),
            ap=tuple(float(v) for v in ap),
            mean_ap=nan_mean(ap),
            aph=tuple(float(v) for v in aph),
            mean_aph=nan_mean(aph),
            aph_legacy_unsigned_yaw=legacy,
            mean_aph_legacy_unsigned_yaw=nan_mean(legacy) if legacy is not None else None,
        )
    return out
