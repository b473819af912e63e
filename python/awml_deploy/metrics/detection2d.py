"""2D detection evaluation (METRICS.md, "Semantics (2D detection)"): pixel-box IoU, no range filter, no APH."""

from __future__ import annotations

from typing import Any

import numpy as np

from awml_deploy.metrics import geometry
from awml_deploy.metrics.ap import average_precision, nan_mean, ranking
from awml_deploy.metrics.frames import Boxes2D
from awml_deploy.metrics.matching import matching_order
from awml_deploy.metrics.results import Detection2DResult, LabelDetectionResult, ModeResult
from awml_deploy.metrics.schema import parse_boxes_2d
from awml_deploy.metrics.settings import Detection2DSettings, parse_detection2d_settings
from awml_deploy.metrics.sparse import match_label


def evaluate_detection2d(frames: Any, settings: Any) -> Detection2DResult:
    """Scores 2D detections (greedy by score, same label, one-to-one, IoU > t strictly).

    Args:
        frames (Any): ``{"frames": [...]}``, a list of frame dicts (FRAMES.json schema) or of :class:`Frame2D`.
        settings (Any): A :class:`Detection2DSettings` or a SETTINGS.json dict with ``thresholds.iou_2d``.

    Returns:
        Detection2DResult: Per label and threshold counts and AP, mean AP per label and mAP.
    """
    settings = parse_detection2d_settings(settings)
    gt, pred, num_frames = parse_boxes_2d(frames, settings.labels)
    return evaluate_boxes2d(gt, pred, num_frames, settings)


def _select(boxes: Boxes2D, mask: np.ndarray) -> Boxes2D:
    return Boxes2D(boxes.frame[mask], boxes.label[mask], boxes.box[mask], boxes.score[mask])


def evaluate_boxes2d(gt: Boxes2D, pred: Boxes2D, num_frames: int, settings: Detection2DSettings) -> Detection2DResult:
    """:func:`evaluate_detection2d` on already parsed columns."""
    modes = {}
    for mode, table in settings.thresholds.items():
        per_label = {}
        for index, label in enumerate(settings.labels):
            per_label[label] = _evaluate_label(
                label, _select(gt, gt.label == index), _select(pred, pred.label == index), num_frames, table[label]
            )
        modes[mode] = ModeResult(mode, per_label, nan_mean(r.mean_ap for r in per_label.values()))
    return Detection2DResult(modes)


def _evaluate_label(label: str, gt: Boxes2D, pred: Boxes2D, num_frames: int, thresholds: tuple[float, ...]):
    pred = _select(pred, matching_order(pred.frame, pred.score))

    def costs(pair_pred: np.ndarray, pair_gt: np.ndarray) -> np.ndarray:
        iou = geometry.iou_2d(pred.box[pair_pred], gt.box[pair_gt])
        return np.where(iou > 0, -iou, np.inf)[None, :]  # IoU 0 never passes (t >= 0): same as +inf for greedy

    limits = -np.asarray(thresholds, dtype=np.float64)[None, :]
    # Boxes overlap only when their centres are closer than the sum of their half-diagonals.
    centre = [0.5 * (side.box[:, :2] + side.box[:, 2:]) for side in (pred, gt)]
    reach = [0.5 * np.hypot(side.box[:, 2] - side.box[:, 0], side.box[:, 3] - side.box[:, 1]) for side in (pred, gt)]
    tp, _ = match_label(pred.frame, gt.frame, num_frames, *centre, *reach, 0.0, costs, limits, gt.box)
    hit = tp[0][:, ranking(pred.score)]
    ap = average_precision(hit.astype(np.float64), hit, len(gt.frame))
    num_tp = hit.sum(axis=1)
    return LabelDetectionResult(
        label=label,
        thresholds=tuple(thresholds),
        num_gt=len(gt.frame),
        num_pred=len(pred.frame),
        num_tp=tuple(int(v) for v in num_tp),
        num_fp=tuple(int(len(pred.frame) - v) for v in num_tp),
        ap=tuple(float(v) for v in ap),
        mean_ap=nan_mean(ap),
    )
