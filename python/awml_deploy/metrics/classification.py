"""Classification evaluation (METRICS.md, "Semantics (classification)"): uuid pairing, per-label counts."""

from __future__ import annotations

import math
from typing import Any

from awml_deploy.metrics.results import ClassificationResult, ClassificationScores, LabelClassificationResult
from awml_deploy.metrics.schema import parse_classification
from awml_deploy.metrics.settings import parse_classification_settings


def _ratio(num: float, den: float) -> float:
    """``num / den``; +inf when ``den`` is 0 (the library's convention)."""
    return num / den if den != 0 else math.inf


def classification_scores(num_pred: int, num_gt: int, num_tp: int) -> ClassificationScores:
    """Accuracy ``TP / (pred + gt - TP)``, precision ``TP / pred``, recall ``TP / gt`` and F1 from counts.

    Args:
        num_pred (int): Predictions.
        num_gt (int): Ground truth.
        num_tp (int): Predictions paired with a ground truth of the same label.

    Returns:
        ClassificationScores: Zero denominators give +inf; F1 is +inf if P or R is inf or P + R = 0.
    """
    precision, recall = _ratio(num_tp, num_pred), _ratio(num_tp, num_gt)
    if math.isinf(precision) or math.isinf(recall) or precision + recall == 0:
        f1 = math.inf
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return ClassificationScores(_ratio(num_tp, num_pred + num_gt - num_tp), precision, recall, f1)


def evaluate_classification(frames: Any, settings: Any) -> ClassificationResult:
    """Scores classification predictions paired with ground truth by ``uuid`` within each frame.

    Args:
        frames (Any): ``{"frames": [...]}``, a list of frame dicts or of :class:`ClassificationFrame`.
        settings (Any): A :class:`ClassificationSettings` or ``{"labels": [...]}``.

    Returns:
        ClassificationResult: Per-label counts and scores (predictions grouped by predicted label; labels
        outside the settings are ignored) and the micro-averaged total.
    """
    labels = parse_classification_settings(settings).labels
    counts = {label: [0, 0, 0] for label in labels}  # num_pred, num_gt, num_tp
    for gt, pred in parse_classification(frames):
        gt_label = dict(gt)
        for _, label in gt:
            if label in counts:
                counts[label][1] += 1
        for uuid, label in pred:
            if label in counts:
                counts[label][0] += 1
                counts[label][2] += gt_label.get(uuid) == label
    per_label = {
        label: LabelClassificationResult(
            label, n_pred, n_gt, n_tp, n_pred - n_tp, classification_scores(n_pred, n_gt, n_tp)
        )
        for label, (n_pred, n_gt, n_tp) in counts.items()
    }
    totals = [sum(c[i] for c in counts.values()) for i in range(3)]
    return ClassificationResult(per_label, classification_scores(*totals))
