"""Frame and object types accepted by the metrics API (the parsed-JSON dicts are accepted as well).

The columnar forms (:class:`Boxes3D`, :class:`Boxes2D`) are what the engine works on: one row per object of
all frames, frame-major and in input order within a frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Object3D:
    """An ego-frame 3D box (x forward, y left, z up, metres; l along the heading; yaw about +z from +x).

    Attributes:
        label (str): Class name.
        center (tuple[float, float, float]): Box centre.
        size (tuple[float, float, float]): (l, w, h).
        yaw (float): Heading in radians.
        score (float | None): Confidence; required for predictions, unused for ground truth.
    """

    label: str
    center: tuple[float, float, float]
    size: tuple[float, float, float]
    yaw: float
    score: float | None = None


@dataclass(frozen=True)
class Frame3D:
    """One frame of 3D ground truth and predictions."""

    gt: tuple[Object3D, ...]
    pred: tuple[Object3D, ...]
    frame_index: int = 0
    timestamp_us: int = 0


@dataclass(frozen=True)
class ArrayFrame3D:
    """One frame of 3D boxes as arrays, as a detector outputs them (parsed per frame, not per object).

    Attributes:
        gt_label (Sequence[str]): (n_gt,) labels.
        gt_center (np.ndarray): (n_gt, 3) centres.
        gt_size (np.ndarray): (n_gt, 3) sizes (l, w, h).
        gt_yaw (np.ndarray): (n_gt,) yaws.
        pred_label (Sequence[str]): (n_pred,) labels.
        pred_center (np.ndarray): (n_pred, 3) centres.
        pred_size (np.ndarray): (n_pred, 3) sizes (l, w, h).
        pred_yaw (np.ndarray): (n_pred,) yaws.
        pred_score (np.ndarray): (n_pred,) scores.
    """

    gt_label: Sequence[str]
    gt_center: np.ndarray
    gt_size: np.ndarray
    gt_yaw: np.ndarray
    pred_label: Sequence[str]
    pred_center: np.ndarray
    pred_size: np.ndarray
    pred_yaw: np.ndarray
    pred_score: np.ndarray

    @classmethod
    def from_frame(cls, frame: Frame3D | dict) -> ArrayFrame3D:
        """Converts a :class:`Frame3D` or a FRAMES.json frame dict (no validation beyond NumPy's)."""

        def get(obj, key):
            return obj[key] if isinstance(obj, dict) else getattr(obj, key)

        sides = {}
        for side in ("gt", "pred"):
            objects = get(frame, side)
            sides[side] = (
                [get(o, "label") for o in objects],
                np.array([get(o, "center") for o in objects], dtype=np.float64).reshape(-1, 3),
                np.array([get(o, "size") for o in objects], dtype=np.float64).reshape(-1, 3),
                np.array([get(o, "yaw") for o in objects], dtype=np.float64),
            )
        score = np.array([get(o, "score") for o in get(frame, "pred")], dtype=np.float64)
        return cls(*sides["gt"], *sides["pred"], score)


@dataclass(frozen=True)
class Object2D:
    """A pixel box ``(x1, y1, x2, y2)`` with a label and, for predictions, a score."""

    label: str
    box: tuple[float, float, float, float]
    score: float | None = None


@dataclass(frozen=True)
class Frame2D:
    """One image of 2D ground truth and predictions."""

    gt: tuple[Object2D, ...]
    pred: tuple[Object2D, ...]
    frame_index: int = 0
    timestamp_us: int = 0


@dataclass(frozen=True)
class ClassObject:
    """A classified object, paired between ground truth and prediction by ``uuid``."""

    uuid: str
    label: str
    score: float | None = None


@dataclass(frozen=True)
class ClassificationFrame:
    """One frame of classification ground truth and predictions."""

    gt: tuple[ClassObject, ...]
    pred: tuple[ClassObject, ...]
    frame_index: int = 0
    timestamp_us: int = 0


@dataclass(frozen=True)
class Boxes3D:
    """All 3D boxes of one side (ground truth or predictions) of all frames, as columns.

    Attributes:
        frame (np.ndarray): (n,) int64 frame position in the input list.
        label (np.ndarray): (n,) int64 index into the settings' labels, -1 for other labels.
        center (np.ndarray): (n, 3) float64.
        size (np.ndarray): (n, 3) float64.
        yaw (np.ndarray): (n,) float64.
        score (np.ndarray): (n,) float64 (NaN for ground truth).
    """

    frame: np.ndarray
    label: np.ndarray
    center: np.ndarray
    size: np.ndarray
    yaw: np.ndarray
    score: np.ndarray

    def select(self, mask: np.ndarray) -> Boxes3D:
        """The rows where ``mask`` is true, order kept."""
        return Boxes3D(*(getattr(self, f)[mask] for f in ("frame", "label", "center", "size", "yaw", "score")))


@dataclass(frozen=True)
class Boxes2D:
    """All 2D boxes of one side of all frames, as columns (see :class:`Boxes3D`); ``box`` is (n, 4)."""

    frame: np.ndarray
    label: np.ndarray
    box: np.ndarray
    score: np.ndarray
