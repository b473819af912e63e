"""Typed, frozen results; ``to_json_dict()`` gives exactly the METRICS.md output schema.

NaN is written as ``None`` (JSON null), +inf as the string ``"inf"``, threshold keys as ``str(float(t))``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def json_number(value: float) -> float | str | None:
    """A float for JSON: NaN -> None, +/-inf -> "inf" / "-inf"."""
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _by_threshold(thresholds: tuple[float, ...], values: tuple[Any, ...], number: bool) -> dict[str, Any]:
    return {str(float(t)): (json_number(v) if number else int(v)) for t, v in zip(thresholds, values, strict=True)}


@dataclass(frozen=True)
class LabelDetectionResult:
    """Detection scores of one label in one matching mode.

    Attributes:
        label (str): The label.
        thresholds (tuple[float, ...]): The label's thresholds in this mode; the tuples below align with it.
        num_gt (int): Ground truth after filtering, all frames.
        num_pred (int): Predictions after filtering, all frames.
        num_tp (tuple[int, ...]): TP count per threshold.
        num_fp (tuple[int, ...]): FP count per threshold.
        ap (tuple[float, ...]): AP per threshold (NaN when there is neither ground truth nor prediction).
        mean_ap (float): Mean AP over thresholds, NaN skipped.
        aph (tuple[float, ...] | None): APH per threshold; None for 2D.
        mean_aph (float | None): Mean APH; None for 2D.
        aph_legacy_unsigned_yaw (tuple[float, ...] | None): APH with unsigned yaws, when requested.
        mean_aph_legacy_unsigned_yaw (float | None): Its mean, when requested.
    """

    label: str
    thresholds: tuple[float, ...]
    num_gt: int
    num_pred: int
    num_tp: tuple[int, ...]
    num_fp: tuple[int, ...]
    ap: tuple[float, ...]
    mean_ap: float
    aph: tuple[float, ...] | None = None
    mean_aph: float | None = None
    aph_legacy_unsigned_yaw: tuple[float, ...] | None = None
    mean_aph_legacy_unsigned_yaw: float | None = None

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "thresholds": [float(t) for t in self.thresholds],
            "num_gt": int(self.num_gt),
            "num_pred": int(self.num_pred),
            "num_tp": _by_threshold(self.thresholds, self.num_tp, number=False),
            "num_fp": _by_threshold(self.thresholds, self.num_fp, number=False),
            "ap": _by_threshold(self.thresholds, self.ap, number=True),
            "mean_ap": json_number(self.mean_ap),
        }
        if self.aph is not None:
            out["aph"] = _by_threshold(self.thresholds, self.aph, number=True)
            out["mean_aph"] = json_number(self.mean_aph)
        if self.aph_legacy_unsigned_yaw is not None:
            out["aph_legacy_unsigned_yaw"] = _by_threshold(self.thresholds, self.aph_legacy_unsigned_yaw, True)
            out["mean_aph_legacy_unsigned_yaw"] = json_number(self.mean_aph_legacy_unsigned_yaw)
        return out


@dataclass(frozen=True)
class ModeResult:
    """All labels of one matching mode, with mAP (and mAPH for 3D)."""

    mode: str
    per_label: Mapping[str, LabelDetectionResult]
    map: float
    maph: float | None = None
    maph_legacy_unsigned_yaw: float | None = None

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "per_label": {name: r.to_json_dict() for name, r in self.per_label.items()},
            "map": json_number(self.map),
        }
        if self.maph is not None:
            out["maph"] = json_number(self.maph)
        if self.maph_legacy_unsigned_yaw is not None:
            out["maph_legacy_unsigned_yaw"] = json_number(self.maph_legacy_unsigned_yaw)
        return out


@dataclass(frozen=True)
class DistanceBucketResult:
    """A 3D evaluation restricted to BEV radius ``lo <= r < hi``."""

    lo: float
    hi: float
    modes: Mapping[str, ModeResult]

    @property
    def name(self) -> str:
        return f"[{float(self.lo)}, {float(self.hi)})"


@dataclass(frozen=True)
class Detection3DResult:
    """3D detection result: one :class:`ModeResult` per matching mode, plus optional distance buckets."""

    modes: Mapping[str, ModeResult]
    distance_buckets: tuple[DistanceBucketResult, ...] = field(default_factory=tuple)

    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"modes": {name: m.to_json_dict() for name, m in self.modes.items()}}
        if self.distance_buckets:
            out["distance_buckets"] = {
                b.name: {"lo": b.lo, "hi": b.hi, "modes": {n: m.to_json_dict() for n, m in b.modes.items()}}
                for b in self.distance_buckets
            }
        return out


@dataclass(frozen=True)
class Detection2DResult:
    """2D detection result: ``modes == {"iou_2d": ModeResult}`` without APH."""

    modes: Mapping[str, ModeResult]

    def to_json_dict(self) -> dict[str, Any]:
        return {"modes": {name: m.to_json_dict() for name, m in self.modes.items()}}


@dataclass(frozen=True)
class ClassificationScores:
    """Accuracy (TP / (pred + gt - TP)), precision, recall and F1; zero denominators give +inf."""

    accuracy: float
    precision: float
    recall: float
    f1: float

    def to_json_dict(self) -> dict[str, Any]:
        return {k: json_number(getattr(self, k)) for k in ("accuracy", "precision", "recall", "f1")}


@dataclass(frozen=True)
class LabelClassificationResult:
    """Counts and scores of one label (predictions grouped by their predicted label)."""

    label: str
    num_pred: int
    num_gt: int
    num_tp: int
    num_fp: int
    scores: ClassificationScores

    def to_json_dict(self) -> dict[str, Any]:
        counts = {"num_pred": self.num_pred, "num_gt": self.num_gt, "num_tp": self.num_tp, "num_fp": self.num_fp}
        return {**counts, **self.scores.to_json_dict()}


@dataclass(frozen=True)
class ClassificationResult:
    """Per-label classification results and the micro-averaged total."""

    per_label: Mapping[str, LabelClassificationResult]
    total: ClassificationScores

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "per_label": {name: r.to_json_dict() for name, r in self.per_label.items()},
            "total": self.total.to_json_dict(),
        }
