"""Small builders for hand-made metrics test frames (imported by the test modules of this folder)."""

from __future__ import annotations

import math

ALL_3D_MODES = ("center_distance_3d", "center_distance_bev", "plane_distance", "iou_bev", "iou_3d")


def box(
    label: str,
    x: float,
    y: float = 0.0,
    z: float = 0.0,
    size=(4.0, 2.0, 1.5),
    yaw: float = 0.0,
    score: float | None = None,
) -> dict:
    """A FRAMES.json 3D object; a score makes it a prediction."""
    obj = {"label": label, "center": [x, y, z], "size": list(size), "yaw": yaw}
    if score is not None:
        obj["score"] = score
    return obj


def frame(gt=(), pred=(), index: int = 0) -> dict:
    return {"frame_index": index, "timestamp_us": 1000 * index, "gt": list(gt), "pred": list(pred)}


def settings(thresholds: dict, labels=("car",), **extra) -> dict:
    """SETTINGS.json dict; ``thresholds`` is ``{mode: {label: [t...]}}`` or ``{mode: [t...]}`` for all labels."""
    table = {m: (v if isinstance(v, dict) else {label: list(v) for label in labels}) for m, v in thresholds.items()}
    return {"labels": list(labels), "thresholds": table, **extra}


def ap_flat(precision: float, recall_levels: int) -> float:
    """AP when P(x) = ``precision`` on the first ``recall_levels`` of the 90 levels 0.11..1.00 and 0 after."""
    return recall_levels * max(0.0, precision - 0.1) / 90 / 0.9


def close(a: float, b: float, tol: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=0.0, abs_tol=tol)
