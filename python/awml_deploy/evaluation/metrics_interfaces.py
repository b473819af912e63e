"""Metrics interfaces: accumulate frames in the METRICS.md JSON schema and call `awml_deploy.metrics`."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

from awml_deploy.core.errors import DeployError, fail


class BaseMetricsInterface(abc.ABC):
    """Collects frames and computes metrics at the end.

    Args:
        settings (Mapping[str, Any]): Settings in the METRICS.md schema ({"labels": [...], ...}).
    """

    task = ""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = dict(settings)
        self.frames: list[dict] = []

    def reset(self) -> None:
        """Drops collected frames."""
        self.frames = []

    def add_frame(self, predictions: list[dict], ground_truths: list[dict], timestamp_us: int | None = None) -> None:
        """Adds one frame.

        Args:
            predictions (list[dict]): Predicted objects (METRICS.md object schema).
            ground_truths (list[dict]): GT objects.
            timestamp_us (int | None): Frame time in microseconds. Defaults to the frame index.
        """
        index = len(self.frames)
        self.frames.append(
            {
                "frame_index": index,
                "timestamp_us": index if timestamp_us is None else int(timestamp_us),
                "gt": list(ground_truths),
                "pred": list(predictions),
            }
        )

    def compute(self) -> dict:
        """Computes the metrics over the collected frames.

        Returns:
            dict: The result's JSON form (METRICS.md output schema).
        """
        function = self._metrics_function()
        try:
            result = function(self.frames, self.settings)
        except DeployError:
            raise
        except Exception as err:  # noqa: BLE001 - anything else is reported on one line
            fail(f"metrics {self.task} | computation failed. Note: {type(err).__name__}: {err}", exit_code=1, cause=err)
        return result.to_json_dict() if hasattr(result, "to_json_dict") else dict(result)

    def _metrics_function(self):
        try:
            from awml_deploy import metrics
        except ImportError as err:
            fail(f"metrics {self.task} | awml_deploy.metrics is unavailable. Note: {err}", exit_code=1, cause=err)
        function = getattr(metrics, f"evaluate_{self.task}", None)
        if function is None:
            fail(
                f"metrics {self.task} | awml_deploy.metrics has no evaluate_{self.task}. Note: expected the metrics API"
            )
        return function

    @abc.abstractmethod
    def primary_metric(self, result: Mapping[str, Any]) -> tuple[str, float | None]:
        """(name, value) of the headline metric."""


class _DetectionMetricsInterface(BaseMetricsInterface):
    def primary_metric(self, result: Mapping[str, Any]) -> tuple[str, float | None]:
        modes = result.get("modes", {})
        if not modes:
            return ("map", None)
        mode = next(iter(modes))
        return (f"map_{mode}", modes[mode].get("map"))


class Detection3DMetricsInterface(_DetectionMetricsInterface):
    """3D detection (mAP/mAPH per matching mode); objects {label, center, size, yaw, score}."""

    task = "detection3d"


class Detection2DMetricsInterface(_DetectionMetricsInterface):
    """2D detection (mAP at IoU thresholds); objects {label, box, score}."""

    task = "detection2d"


class ClassificationMetricsInterface(BaseMetricsInterface):
    """Classification (accuracy/precision/recall/F1); objects {uuid, label, score}."""

    task = "classification"

    def primary_metric(self, result: Mapping[str, Any]) -> tuple[str, float | None]:
        return ("accuracy", result.get("total", {}).get("accuracy"))


class SegmentationMetricsInterface(BaseMetricsInterface):
    """Segmentation (confusion matrix, per-class IoU, mIoU, accuracy); frames are per-point/pixel label arrays.

    Settings: ``{"labels": [...], "ignore_index": int | None}``. :meth:`add_frame` takes the predicted and the
    ground-truth labels of one frame (integer arrays or lists of equal length, any shape: they are flattened)
    instead of object lists.
    """

    task = "segmentation"

    def add_frame(self, predictions, ground_truths, timestamp_us: int | None = None) -> None:
        """Adds one frame.

        Args:
            predictions: Predicted labels (integer array-like).
            ground_truths: Ground-truth labels (integer array-like, same size).
            timestamp_us (int | None): Frame time in microseconds. Defaults to the frame index.
        """
        import numpy as np

        index = len(self.frames)
        self.frames.append(
            {
                "frame_index": index,
                "timestamp_us": index if timestamp_us is None else int(timestamp_us),
                "gt_labels": np.asarray(ground_truths).reshape(-1),
                "pred_labels": np.asarray(predictions).reshape(-1),
            }
        )

    def primary_metric(self, result: Mapping[str, Any]) -> tuple[str, float | None]:
        return ("miou", result.get("miou"))
