"""3D detection evaluation (METRICS.md, "Semantics (3D detection)"), with optional BEV distance buckets."""

from __future__ import annotations

from typing import Any

import numpy as np

from awml_deploy.metrics import geometry
from awml_deploy.metrics.ap import average_precision, nan_mean, ranking
from awml_deploy.metrics.frames import Boxes3D
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


_FIELDS = ("frame", "label", "center", "size", "yaw", "score")


def _take(boxes: Boxes3D, rows) -> Boxes3D:
    """The rows ``rows`` (an index array or a slice) of every column."""
    return Boxes3D(*(getattr(boxes, f)[rows] for f in _FIELDS))


def _evaluate(gt: Boxes3D, pred: Boxes3D, num_frames: int, settings: Detection3DSettings) -> dict[str, ModeResult]:
    modes, labels = tuple(settings.thresholds), settings.labels
    # One gather per side instead of a selection per label: ground truth by label (input order kept), the
    # predictions by label and then in matching order (frame by frame, highest score first, ties in input
    # order; lexsort is stable), which is what selecting a label and then matching_order give.
    gt = _take(gt, np.argsort(gt.label, kind="stable"))
    pred = _take(pred, np.lexsort((-pred.score, pred.frame, pred.label)))
    gt_at = np.searchsorted(gt.label, np.arange(len(labels) + 1))
    pred_at = np.searchsorted(pred.label, np.arange(len(labels) + 1))
    gts = [_take(gt, slice(lo, hi)) for lo, hi in zip(gt_at[:-1], gt_at[1:], strict=True)]
    preds = [_take(pred, slice(lo, hi)) for lo, hi in zip(pred_at[:-1], pred_at[1:], strict=True)]
    thresholds = [{mode: settings.thresholds[mode][label] for mode in modes} for label in labels]
    # Label by label: per label the pair arrays (~6k pairs at 1,000 frames) stay in cache; keying all labels'
    # frames into one pass was measured slower.
    matches = [_match(g, p, num_frames, t) for g, p, t in zip(gts, preds, thresholds, strict=True)]
    per_mode: dict[str, dict[str, LabelDetectionResult]] = {mode: {} for mode in modes}
    for index, label in enumerate(labels):
        label_results = _scores(
            label, gts[index], preds[index], *matches[index], thresholds[index], settings.legacy_unsigned_yaw
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


def _match(
    gt: Boxes3D, pred: Boxes3D, num_frames: int, thresholds: dict[str, tuple[float, ...]]
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy matching of one label in every mode.

    Args:
        gt (Boxes3D): Ground truth, frame-major.
        pred (Boxes3D): Predictions in matching order (:func:`matching.matching_order`).
        num_frames (int): Number of frames.
        thresholds (dict[str, tuple[float, ...]]): Per mode, the thresholds.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``tp`` (M, width, n_pred) and the matched ground-truth row (or -1).
    """
    modes = tuple(thresholds)
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
    return match_label(
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


def _scores(
    label: str,
    gt: Boxes3D,
    pred: Boxes3D,
    tp: np.ndarray,
    matched: np.ndarray,
    thresholds: dict[str, tuple[float, ...]],
    legacy_yaw: bool,
) -> dict[str, LabelDetectionResult]:
    """Counts, AP and APH of one label from its matching (:func:`_match`), every mode."""
    modes = tuple(thresholds)
    width = tp.shape[1]
    rank = ranking(pred.score)
    num_gt, num_pred = len(gt.frame), len(pred.frame)
    # Every mode and threshold at once, as rows (M * width, n); padded slots never hit and are dropped below.
    rows = len(modes) * width
    hit = tp[..., rank].reshape(rows, num_pred)
    matched = matched[..., rank].reshape(rows, num_pred)
    yaw_p = pred.yaw[rank]
    row, col = np.nonzero(hit)

    def heading_weights(legacy_unsigned: bool) -> np.ndarray:
        weight = np.zeros(hit.shape)
        weight[row, col] = geometry.heading_weight(yaw_p[col], gt.yaw[matched[row, col]], legacy_unsigned)
        return weight

    ap = average_precision(hit.astype(np.float64), hit, num_gt).reshape(len(modes), width)
    aph = average_precision(heading_weights(False), hit, num_gt).reshape(len(modes), width)
    legacy = average_precision(heading_weights(True), hit, num_gt).reshape(len(modes), width) if legacy_yaw else None
    num_tp = hit.sum(axis=1).reshape(len(modes), width)
    out = {}
    for m, mode in enumerate(modes):
        count = len(thresholds[mode])
        mode_ap, mode_aph = ap[m, :count], aph[m, :count]
        mode_legacy = None if legacy is None else tuple(float(v) for v in legacy[m, :count])
        out[mode] = LabelDetectionResult(
            label=label,
            thresholds=tuple(thresholds[mode]),
            num_gt=num_gt,
            num_pred=num_pred,
            num_tp=tuple(int(v) for v in num_tp[m, :count]),
            num_fp=tuple(int(num_pred - v) for v in num_tp[m, :count]),
            ap=tuple(float(v) for v in mode_ap),
            mean_ap=nan_mean(mode_ap),
            aph=tuple(float(v) for v in mode_aph),
            mean_aph=nan_mean(mode_aph),
            aph_legacy_unsigned_yaw=mode_legacy,
            mean_aph_legacy_unsigned_yaw=nan_mean(mode_legacy) if mode_legacy is not None else None,
        )
    return out
