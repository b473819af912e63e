"""YOLOX evaluation (2D mAP per class through ``Detection2DMetricsInterface``) and verification outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from awml_deploy.core.arrays import as_numpy
from awml_deploy.core.logging import get_logger
from awml_deploy.evaluation import BaseEvaluator, Detection2DMetricsInterface
from projects.yolox.decode import YoloxDecoder, decode_boxes
from projects.yolox.export import OUTPUT_NAME

_LOG = get_logger("yolox.evaluation")


class YoloxEvaluator(BaseEvaluator):
    """mAP over IoU thresholds per class; optional minimum on the primary metric (a gate).

    Verification compares the raw Autoware-layout ``output`` and, from it, the decoded corner boxes
    (``decoded_boxes``, network-input pixels) and best-class scores (``decoded_scores``).

    Args:
        class_names (Sequence[str]): Labels in class-index order.
        thresholds (Sequence[float]): IoU thresholds (mAP is their mean per class, then over classes).
        decoder (YoloxDecoder): Used for the decoded verification outputs.
        input_hw (tuple[int, int] | None): Network input (H, W) for the decoded verification outputs. Defaults to
            the square whose anchor count matches the output.
    """

    def __init__(
        self,
        class_names: Sequence[str],
        thresholds: Sequence[float],
        decoder: YoloxDecoder,
        input_hw: tuple[int, int] | None = None,
    ) -> None:
        labels = list(class_names)
        super().__init__(
            Detection2DMetricsInterface(
                {"labels": labels, "thresholds": {"iou_2d": {label: list(thresholds) for label in labels}}}
            )
        )
        self.class_names = tuple(labels)
        self.decoder = decoder
        self.input_hw = input_hw
        self._warned_no_truth = False

    def parse_predictions(self, output: Any, sample: Mapping[str, Any]) -> list[dict]:
        return [
            {"label": self.class_names[int(label)], "box": [float(v) for v in box], "score": float(score)}
            for box, score, label in zip(output.boxes, output.scores, output.labels, strict=True)
        ]

    def parse_ground_truth(self, sample: Mapping[str, Any]) -> list[dict]:
        truth = sample["ground_truth"]
        return [
            {"label": label, "box": [float(v) for v in box]}
            for box, label in zip(truth["boxes"], truth["labels"], strict=True)
        ]

    def verification_outputs(self, raw_output: Any) -> Any:
        output = as_numpy(raw_output[OUTPUT_NAME]).astype(np.float32)
        size = self.input_hw if self.input_hw is not None else self._input_shape(output.shape[1])
        return {
            OUTPUT_NAME: output,
            "decoded_boxes": decode_boxes(output, size, self.decoder.strides),
            "decoded_scores": output[..., 5:].max(axis=-1) * output[..., 4],
        }

    def _input_shape(self, num_anchors: int) -> tuple[int, int]:
        """Square input size whose anchor count is ``num_anchors`` (the deployed letterbox is square)."""
        per_pixel = sum(1.0 / (s * s) for s in self.decoder.strides)
        side = int(round((num_anchors / per_pixel) ** 0.5))
        return side, side

    def evaluate(self, pipeline, samples, num_samples=None, warmup=None, progress=None):
        result = super().evaluate(pipeline, samples, num_samples, warmup, progress)
        per_label = next(iter(result["metrics"].get("modes", {}).values()), {}).get("per_label", {})
        if not any(entry.get("num_gt") for entry in per_label.values()) and not self._warned_no_truth:
            self._warned_no_truth = True
            _LOG.warning(
                "%s: the evaluated images hold no ground-truth boxes of the classes %s, so mAP is n/a. Note: "
                "expected annotated images (runtime_io.info_file or project.data_dir)",
                pipeline.spec.label,
                list(self.class_names),
            )
        return result
