"""Semantic segmentation metrics: confusion matrix, per-class IoU, mIoU, overall and mean class accuracy.

The semantics are those of mmdet3d's ``seg_eval`` (the evaluation AWML uses for LiDAR segmentation), vectorised
with one ``np.bincount`` over all frames:

* **Ignore index.** Points whose ground truth equals ``ignore_index`` are dropped (whatever was predicted).
  When ``ignore_index`` is itself a class index (``0 <= ignore_index < len(labels)``) that class's IoU is NaN.
* **Confusion matrix.** ``counts[g, p]`` = points with ground truth ``g`` predicted as ``p`` (rows truth, columns
  prediction), summed over frames (pooled, not a mean of per-frame scores).
* **IoU** of class c = ``TP / (TP + FP + FN)`` = ``counts[c, c] / (row_c + col_c - counts[c, c])``.
  A class absent from the ground truth **and** never predicted has ``0 / 0`` = **NaN** (JSON null); absent from
  the ground truth but predicted it has IoU 0 (pure false positives).
* **mIoU** is the mean of the per-class IoU with NaN skipped (NaN when every class is NaN).
* **Overall accuracy** = trace / points kept (NaN when no point is kept); **accuracy** of class c is its recall
  ``TP / row_c`` (NaN when absent) and **mean_accuracy** their NaN-skipping mean.

Stricter than ``seg_eval`` (which silently drops them or miscounts): a ground-truth label outside
``[0, len(labels))`` that is not the ignore index, or any predicted label outside that range, is an input error
naming the frame and the first offending point.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from awml_deploy.metrics.results import json_number
from awml_deploy.metrics.schema import bad, get_field, parse_segmentation


@dataclass(frozen=True)
class SegmentationSettings:
    """Settings of the ``segmentation`` task.

    Attributes:
        labels (tuple[str, ...]): Class names; class ``i`` is label value ``i``.
        ignore_index (int | None): Ground-truth value whose points are not scored (None: none ignored).
    """

    labels: tuple[str, ...]
    ignore_index: int | None = None


def parse_segmentation_settings(doc: Any) -> SegmentationSettings:
    """Builds :class:`SegmentationSettings` from ``{"labels": [...], "ignore_index": int | null}`` (or validates one).

    Args:
        doc (Any): The settings dict or a :class:`SegmentationSettings`. ``ignore_index`` may be omitted (None).

    Returns:
        SegmentationSettings: Validated settings.
    """
    if isinstance(doc, SegmentationSettings):
        doc = {"labels": list(doc.labels), "ignore_index": doc.ignore_index}
    if not isinstance(doc, Mapping):
        bad("settings", "not an object", 'an object with "labels" (and optional "ignore_index")', doc)
    labels = get_field(doc, "labels", "settings", "a non-empty list of label names")
    if not isinstance(labels, (list, tuple)) or not labels:
        bad("settings.labels", "not a non-empty list", "a non-empty list of label names", labels)
    for i, name in enumerate(labels):
        if not isinstance(name, str):
            bad(f"settings.labels[{i}]", "not a string", "a label name", name)
    if len(set(labels)) != len(labels):
        bad("settings.labels", "duplicate labels", "unique label names", labels)
    ignore = doc.get("ignore_index")
    if ignore is not None and (isinstance(ignore, bool) or not isinstance(ignore, (int, np.integer))):
        bad("settings.ignore_index", "not an integer", "an integer label value or null", ignore)
    return SegmentationSettings(tuple(labels), None if ignore is None else int(ignore))


@dataclass(frozen=True)
class LabelSegmentationResult:
    """Scores of one class.

    Attributes:
        label (str): The class name.
        num_gt (int): Points of this class in the ground truth (ignored points excluded).
        num_pred (int): Points predicted as this class (ignored points excluded).
        num_tp (int): Points of this class predicted as this class.
        iou (float): ``TP / (num_gt + num_pred - TP)``; NaN when the class is neither present nor predicted, or is
            the ignore index.
        accuracy (float): Class recall ``TP / num_gt``; NaN when absent from the ground truth.
    """

    label: str
    num_gt: int
    num_pred: int
    num_tp: int
    iou: float
    accuracy: float

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "num_gt": self.num_gt,
            "num_pred": self.num_pred,
            "num_tp": self.num_tp,
            "iou": json_number(self.iou),
            "accuracy": json_number(self.accuracy),
        }


@dataclass(frozen=True)
class SegmentationResult:
    """Result of the ``segmentation`` task.

    Attributes:
        labels (tuple[str, ...]): Class names (row/column order of ``confusion_matrix``).
        per_label (dict[str, LabelSegmentationResult]): Scores per class.
        miou (float): Mean IoU, NaN skipped (NaN if all are NaN).
        overall_accuracy (float): Correct / kept points (NaN if none kept).
        mean_accuracy (float): Mean class recall, NaN skipped.
        confusion_matrix (np.ndarray): ``(K, K)`` int64 counts, rows truth, columns prediction (read-only).
        num_points (int): Points scored (ignored ones excluded).
        num_ignored (int): Points dropped by the ignore index.
        ignore_index (int | None): The ignore index used.
    """

    labels: tuple[str, ...]
    per_label: dict[str, LabelSegmentationResult]
    miou: float
    overall_accuracy: float
    mean_accuracy: float
    confusion_matrix: np.ndarray
    num_points: int
    num_ignored: int
    ignore_index: int | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "per_label": {k: v.to_json_dict() for k, v in self.per_label.items()},
            "miou": json_number(self.miou),
            "overall_accuracy": json_number(self.overall_accuracy),
            "mean_accuracy": json_number(self.mean_accuracy),
            "num_points": self.num_points,
            "num_ignored": self.num_ignored,
            "ignore_index": self.ignore_index,
            "confusion_matrix": {"labels": list(self.labels), "counts": self.confusion_matrix.tolist()},
        }


def _check_range(values: np.ndarray, ok: np.ndarray, path: str, accepted: str) -> None:
    if not ok.all():
        first = int(np.argmin(ok))
        bad(f"{path}[{first}]", "label out of range", accepted, int(values[first]))


def confusion_matrix(
    pairs: Sequence[tuple[np.ndarray, np.ndarray]], num_classes: int, ignore_index: int | None = None
) -> tuple[np.ndarray, int]:
    """Pooled confusion matrix of per-frame ``(gt, pred)`` integer arrays (one ``np.bincount``).

    Args:
        pairs (Sequence[tuple[np.ndarray, np.ndarray]]): Per frame, equal-length int arrays.
        num_classes (int): K; valid labels are ``0..K-1``.
        ignore_index (int | None): Ground-truth value to drop. Defaults to none.

    Returns:
        tuple: ``(K, K)`` int64 counts (rows truth, columns prediction) and the number of ignored points.
    """
    gts, preds, ignored = [], [], 0
    accepted = f"an integer in [0, {num_classes})" + ("" if ignore_index is None else f" or {ignore_index} (ignored)")
    for fi, (gt, pred) in enumerate(pairs):
        keep = np.ones(len(gt), dtype=bool) if ignore_index is None else gt != ignore_index
        ignored += int(len(gt) - keep.sum())
        _check_range(gt, ((gt >= 0) & (gt < num_classes)) | ~keep, f"frames[{fi}].gt_labels", accepted)
        _check_range(pred, (pred >= 0) & (pred < num_classes), f"frames[{fi}].pred_labels", accepted.split(" or ")[0])
        gts.append(gt[keep])
        preds.append(pred[keep])
    gt_all = np.concatenate(gts) if gts else np.zeros(0, np.int64)
    pred_all = np.concatenate(preds) if preds else np.zeros(0, np.int64)
    counts = np.bincount(gt_all * num_classes + pred_all, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int64), ignored


def _nanmean(values: np.ndarray) -> float:
    finite = values[~np.isnan(values)]
    return float(finite.mean()) if len(finite) else math.nan


def scores_from_confusion(
    counts: np.ndarray, labels: Sequence[str], ignore_index: int | None = None, num_ignored: int | None = None
) -> SegmentationResult:
    """All scores from a confusion matrix (rows truth, columns prediction).

    Args:
        counts (np.ndarray): ``(K, K)`` counts.
        labels (Sequence[str]): K class names.
        ignore_index (int | None): Ignore index (its class, if in range, gets IoU NaN). Defaults to none.
        num_ignored (int | None): Points dropped by the ignore index. Defaults to 0.

    Returns:
        SegmentationResult: The scores.
    """
    num_ignored = 0 if num_ignored is None else num_ignored
    counts = np.asarray(counts, dtype=np.int64)
    tp = np.diag(counts).astype(np.float64)
    num_gt, num_pred = counts.sum(axis=1), counts.sum(axis=0)
    union = (num_gt + num_pred).astype(np.float64) - tp
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where(union > 0, tp / np.where(union > 0, union, 1.0), np.nan)
        recall = np.where(num_gt > 0, tp / np.where(num_gt > 0, num_gt, 1), np.nan)
    if ignore_index is not None and 0 <= ignore_index < len(labels):
        iou[ignore_index] = np.nan
    total = int(counts.sum())
    per_label = {
        name: LabelSegmentationResult(
            name, int(num_gt[i]), int(num_pred[i]), int(tp[i]), float(iou[i]), float(recall[i])
        )
        for i, name in enumerate(labels)
    }
    frozen = counts.copy()
    frozen.setflags(write=False)
    return SegmentationResult(
        labels=tuple(labels),
        per_label=per_label,
        miou=_nanmean(iou),
        overall_accuracy=float(tp.sum() / total) if total else math.nan,
        mean_accuracy=_nanmean(recall),
        confusion_matrix=frozen,
        num_points=total,
        num_ignored=num_ignored,
        ignore_index=ignore_index,
    )


def evaluate_segmentation(frames: Any, settings: Any) -> SegmentationResult:
    """Scores per-point (or per-pixel) label predictions.

    Args:
        frames (Any): ``{"frames": [...]}`` or a list of frames with ``gt_labels`` and ``pred_labels`` (lists of
            ints or 1-D integer arrays of equal length).
        settings (Any): A :class:`SegmentationSettings` or ``{"labels": [...], "ignore_index": int | null}``.

    Returns:
        SegmentationResult: Confusion matrix, per-class IoU and accuracy, mIoU, overall and mean accuracy.
    """
    parsed = parse_segmentation_settings(settings)
    counts, ignored = confusion_matrix(parse_segmentation(frames), len(parsed.labels), parsed.ignore_index)
    return scores_from_confusion(counts, parsed.labels, parsed.ignore_index, ignored)
