"""101-point interpolated average precision with the nuScenes-style 0.1 floor (METRICS.md, "AP").

``P(x)`` is sampled exactly as ``numpy.interp(x, recall, envelope, right=0)`` (so at a recall level equal to
an attained recall, the envelope at the last item with that recall is used), and
``AP = mean_{k=11..100} max(0, P(k/100) - 0.1) / 0.9``.
"""

from __future__ import annotations

import numpy as np

RECALL_LEVELS = np.linspace(0.0, 1.0, 101)
MIN_RECALL_INDEX = 11  # int(round(100 * 0.1)) + 1: level 0.10 itself is excluded
MIN_PRECISION = 0.1


def ranking(score: np.ndarray) -> np.ndarray:
    """Pooled ranking: highest score first, ties in input (frame-major) order."""
    return np.argsort(-score, kind="stable")


def average_precision(weight: np.ndarray, is_tp: np.ndarray, num_gt: int) -> np.ndarray:
    """AP (or APH) of one label for several thresholds.

    Args:
        weight (np.ndarray): (T, n) TP contribution of each ranked prediction: 1 for AP, the heading weight
            for APH, and 0 for FPs.
        is_tp (np.ndarray): (T, n) whether each ranked prediction is a TP.
        num_gt (int): Number of ground truth ``N`` of the label.

    Returns:
        np.ndarray: (T,) AP per threshold in [0, 1] (clipped: a perfect list gives exactly 1.0); NaN when ``N = 0`` and there are no predictions, 0 when ``N > 0``
        and there are none.
    """
    num_thr, n = is_tp.shape
    if n == 0:
        return np.full(num_thr, np.nan if num_gt == 0 else 0.0)
    tp = np.cumsum(weight, axis=1)
    fp = np.cumsum(~is_tp, axis=1).astype(np.float64)
    denominator = tp + fp
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(denominator == 0.0, 0.0, tp / denominator)
    recall = tp / num_gt if num_gt > 0 else np.zeros_like(tp)
    envelope = np.maximum.accumulate(precision[:, ::-1], axis=1)[:, ::-1]
    out = np.empty(num_thr)
    for t in range(num_thr):
        sampled = np.interp(RECALL_LEVELS, recall[t], envelope[t], right=0)
        floored = sampled[MIN_RECALL_INDEX:] - MIN_PRECISION
        floored[floored < 0] = 0.0
        out[t] = float(np.mean(floored)) / (1.0 - MIN_PRECISION)
    # (1 - 0.1) / 0.9 rounds to 1.0000000000000004 in floating point: a perfect AP would print above 1.
    return np.clip(out, 0.0, 1.0)


def nan_mean(values) -> float:
    """Mean skipping NaN; NaN when every value is NaN (or there are none)."""
    arr = np.asarray(list(values), dtype=np.float64)
    arr = arr[~np.isnan(arr)]
    return float(arr.mean()) if arr.size else float("nan")
