"""Evaluation settings: frozen dataclasses and their parsing from SETTINGS.json dicts (path-named errors)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from awml_deploy.metrics.checks import bad, get_field, is_number

MODES_3D = ("center_distance_3d", "center_distance_bev", "plane_distance", "iou_bev", "iou_3d")
MODES_2D = ("iou_2d",)
IOU_MODES = frozenset({"iou_bev", "iou_3d", "iou_2d"})

# T4MetricV2-style BEV-radius buckets, [lo, hi) each.
T4_DISTANCE_BUCKETS = ((0.0, 50.0), (50.0, 90.0), (90.0, 121.0), (0.0, 121.0))


@dataclass(frozen=True)
class Detection3DSettings:
    """Settings of a 3D detection evaluation.

    Attributes:
        labels (tuple[str, ...]): Target labels, in output order.
        thresholds (Mapping[str, Mapping[str, tuple[float, ...]]]): ``{mode: {label: thresholds}}``; the modes
            given are the modes evaluated, each label has its own list.
        max_abs_x (float): Range filter, keep ``|x| < max_abs_x``. Defaults to 100.
        max_abs_y (float): Range filter, keep ``|y| < max_abs_y``. Defaults to 100.
        distance_buckets (tuple[tuple[float, float], ...]): Extra evaluations restricted to BEV radius
            ``lo <= r < hi`` (applied to ground truth and predictions alike, after the range filter), e.g.
            :data:`T4_DISTANCE_BUCKETS`. Defaults to none.
        legacy_unsigned_yaw (bool): Also report ``aph_legacy_unsigned_yaw`` (weights from ``||yaw_p| - |yaw_g||``).
            Defaults to False.
    """

    labels: tuple[str, ...]
    thresholds: Mapping[str, Mapping[str, tuple[float, ...]]]
    max_abs_x: float = 100.0
    max_abs_y: float = 100.0
    distance_buckets: tuple[tuple[float, float], ...] = field(default_factory=tuple)
    legacy_unsigned_yaw: bool = False


@dataclass(frozen=True)
class Detection2DSettings:
    """Settings of a 2D detection evaluation: labels and ``{"iou_2d": {label: thresholds}}``."""

    labels: tuple[str, ...]
    thresholds: Mapping[str, Mapping[str, tuple[float, ...]]]


@dataclass(frozen=True)
class ClassificationSettings:
    """Settings of a classification evaluation: the target labels."""

    labels: tuple[str, ...]


def _labels(doc: Any) -> tuple[str, ...]:
    labels = get_field(doc, "labels", "settings", "a non-empty list of label names")
    if not isinstance(labels, (list, tuple)) or not labels:
        bad("settings.labels", "not a non-empty list", "a non-empty list of label names", labels)
    for i, name in enumerate(labels):
        if not isinstance(name, str):
            bad(f"settings.labels[{i}]", "not a string", "a label name", name)
    if len(set(labels)) != len(labels):
        bad("settings.labels", "duplicate labels", "unique label names", labels)
    return tuple(labels)


def _number(value: Any, path: str, accepted: str, low: float | None = None, high: float | None = None) -> float:
    if not is_number(value) or value != value or value in (float("inf"), float("-inf")):
        bad(path, "not a finite number", accepted, value)
    if (low is not None and value < low) or (high is not None and value > high):
        bad(path, "out of range", accepted, value)
    return float(value)


def _thresholds(doc: Any, labels: tuple[str, ...], modes: tuple[str, ...]) -> dict[str, dict[str, tuple[float, ...]]]:
    table = get_field(doc, "thresholds", "settings", "{mode: {label: [thresholds]}}")
    if not isinstance(table, Mapping) or not table:
        bad("settings.thresholds", "not a non-empty object", "{mode: {label: [thresholds]}}", table)
    out: dict[str, dict[str, tuple[float, ...]]] = {}
    for mode, per_label in table.items():
        path = f"settings.thresholds.{mode}"
        if mode not in modes:
            bad(path, "unknown matching mode", f"one of {', '.join(modes)}", mode)
        if not isinstance(per_label, Mapping):
            bad(path, "not an object", "{label: [thresholds]} for every label", per_label)
        low, high = (0.0, 1.0) if mode in IOU_MODES else (0.0, None)
        accepted = "a number in [0, 1]" if mode in IOU_MODES else "a finite number >= 0"
        out[mode] = {}
        for label in labels:
            values = per_label.get(label)
            if values is None:
                bad(f"{path}.{label}", "missing thresholds for this label", "a non-empty list of numbers")
            if is_number(values):
                values = [values]
            if not isinstance(values, (list, tuple)) or not values:
                bad(f"{path}.{label}", "not a non-empty list", "a non-empty list of numbers", values)
            parsed = tuple(_number(v, f"{path}.{label}[{i}]", accepted, low, high) for i, v in enumerate(values))
            if len(set(parsed)) != len(parsed):
                bad(f"{path}.{label}", "duplicate thresholds", "distinct values", list(values))
            out[mode][label] = parsed
    return out


def parse_detection3d_settings(doc: Any) -> Detection3DSettings:
    """Builds :class:`Detection3DSettings` from a SETTINGS.json dict (or returns it when already one).

    Args:
        doc (Any): ``{"labels", "thresholds", "range_filter"?, "distance_buckets"?, "legacy_unsigned_yaw"?}``.

    Returns:
        Detection3DSettings: Validated settings.
    """
    if isinstance(doc, Detection3DSettings):
        doc = _settings_dict(doc)
    if not isinstance(doc, Mapping):
        bad("settings", "not an object", "an object with labels and thresholds", doc)
    labels = _labels(doc)
    thresholds = _thresholds(doc, labels, MODES_3D)
    max_abs_x = max_abs_y = 100.0
    box = doc.get("range_filter")
    if box is not None:
        if not isinstance(box, Mapping):
            bad("settings.range_filter", "not an object", '{"max_abs_x": float, "max_abs_y": float}', box)
        max_abs_x = _number(
            get_field(box, "max_abs_x", "settings.range_filter", "a number > 0"),
            "settings.range_filter.max_abs_x",
            "a number > 0",
            0.0,
        )
        max_abs_y = _number(
            get_field(box, "max_abs_y", "settings.range_filter", "a number > 0"),
            "settings.range_filter.max_abs_y",
            "a number > 0",
            0.0,
        )
    buckets = []
    for i, bucket in enumerate(doc.get("distance_buckets") or ()):
        path = f"settings.distance_buckets[{i}]"
        if not isinstance(bucket, (list, tuple)) or len(bucket) != 2:
            bad(path, "not a [lo, hi] pair", "[lo, hi] with 0 <= lo < hi", bucket)
        lo = _number(bucket[0], f"{path}[0]", "a number >= 0", 0.0)
        hi = _number(bucket[1], f"{path}[1]", "a number > lo", lo)
        if hi <= lo:
            bad(path, "empty bucket", "[lo, hi] with 0 <= lo < hi", bucket)
        buckets.append((lo, hi))
    legacy = doc.get("legacy_unsigned_yaw", False)
    if not isinstance(legacy, bool):
        bad("settings.legacy_unsigned_yaw", "not a boolean", "true or false", legacy)
    return Detection3DSettings(labels, thresholds, max_abs_x, max_abs_y, tuple(buckets), legacy)


def parse_detection2d_settings(doc: Any) -> Detection2DSettings:
    """Builds :class:`Detection2DSettings` from a SETTINGS.json dict (or returns it validated).

    Args:
        doc (Any): ``{"labels": [...], "thresholds": {"iou_2d": {label: [t, ...]}}}``.

    Returns:
        Detection2DSettings: Validated settings.
    """
    if isinstance(doc, Detection2DSettings):
        doc = {"labels": list(doc.labels), "thresholds": doc.thresholds}
    if not isinstance(doc, Mapping):
        bad("settings", "not an object", "an object with labels and thresholds", doc)
    labels = _labels(doc)
    return Detection2DSettings(labels, _thresholds(doc, labels, MODES_2D))


def parse_classification_settings(doc: Any) -> ClassificationSettings:
    """Builds :class:`ClassificationSettings` from a SETTINGS.json dict (or returns it validated).

    Args:
        doc (Any): ``{"labels": [...]}``.

    Returns:
        ClassificationSettings: Validated settings.
    """
    if isinstance(doc, ClassificationSettings):
        doc = {"labels": list(doc.labels)}
    if not isinstance(doc, Mapping):
        bad("settings", "not an object", 'an object with "labels"', doc)
    return ClassificationSettings(_labels(doc))


def _settings_dict(settings: Detection3DSettings) -> dict[str, Any]:
    return {
        "labels": list(settings.labels),
        "thresholds": settings.thresholds,
        "range_filter": {"max_abs_x": settings.max_abs_x, "max_abs_y": settings.max_abs_y},
        "distance_buckets": [list(b) for b in settings.distance_buckets],
        "legacy_unsigned_yaw": settings.legacy_unsigned_yaw,
    }
