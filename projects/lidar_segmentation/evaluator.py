"""Evaluation (mIoU per class via the framework's SegmentationEvaluator) and its per-class log line."""

from __future__ import annotations

from collections.abc import Sequence

from awml_deploy.core.logging import get_logger
from awml_deploy.evaluation import SegmentationEvaluator
from projects.lidar_segmentation.pipelines import OUTPUT_NAME

_LOG = get_logger("lidar_segmentation")


class LidarSegmentationEvaluator(SegmentationEvaluator):
    """Per-point mIoU on the evaluation frames; verification gates on per-point label agreement.

    Args:
        labels (Sequence[str]): Class names in logit order.
        min_label_agreement (float | None): Verification gate (fraction of points with the same argmax on both
            backends). Defaults to 0.999.
    """

    def __init__(self, labels: Sequence[str], min_label_agreement: float | None = None) -> None:
        min_label_agreement = 0.999 if min_label_agreement is None else min_label_agreement
        super().__init__(labels, None, min_label_agreement, OUTPUT_NAME, -1, "gt_labels", "points")

    def evaluate(self, pipeline, samples, num_samples=None, warmup=None, progress=None):
        """:meth:`BaseEvaluator.evaluate`, logging the per-class IoU."""
        result = super().evaluate(pipeline, samples, num_samples, warmup, progress)
        per_label = result["metrics"].get("per_label", {})
        ious = ", ".join(
            f"{name} {'n/a' if v['iou'] is None else format(v['iou'], '.4f')}" for name, v in per_label.items()
        )
        _LOG.info("%s per-class IoU: %s", pipeline.spec.label, ious)
        return result
