"""`SegmentationEvaluator`: mIoU evaluation and logits + label-agreement verification for segmentation pipelines.

Pipelines are :class:`awml_deploy.pipelines.segmentation.SegmentationPipeline` (output ``{"labels", ...}``);
samples carry their ground truth under ``gt_key``. Verification reuses :class:`VerificationMixin`: the raw logits
are compared with the configured tolerances and, on the same samples, the argmax labels of both backends are
counted; the scenario fails when the pooled agreement rate is below ``min_label_agreement``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from awml_deploy.core.logging import get_logger
from awml_deploy.evaluation.evaluator import BaseEvaluator
from awml_deploy.evaluation.metrics_interfaces import SegmentationMetricsInterface
from awml_deploy.verification.agreement import AgreementCounter

_LOG = get_logger("evaluation")


class SegmentationEvaluator(BaseEvaluator):
    """Scores predicted labels against per-element ground truth; verifies logits and label agreement.

    Args:
        labels (Sequence[str]): Class names in logit order.
        ignore_index (int | None): Ground-truth value not scored. Defaults to none.
        min_label_agreement (float | None): Verification gate on the pooled argmax agreement. Defaults to 1.0.
        logits_name (str | None): Raw output holding the logits. Defaults to "logits".
        class_axis (int | None): Class axis of the logits. Defaults to -1.
        gt_key (str | None): Sample key of the ground-truth labels. Defaults to "gt_labels".
        unit (str | None): What one element is, for messages. Defaults to "points".
    """

    def __init__(
        self,
        labels: Sequence[str],
        ignore_index: int | None = None,
        min_label_agreement: float | None = None,
        logits_name: str | None = None,
        class_axis: int | None = None,
        gt_key: str | None = None,
        unit: str | None = None,
    ) -> None:
        super().__init__(SegmentationMetricsInterface({"labels": list(labels), "ignore_index": ignore_index}))
        self.labels = tuple(labels)
        self.min_label_agreement = 1.0 if min_label_agreement is None else float(min_label_agreement)
        self.logits_name = "logits" if logits_name is None else logits_name
        self.class_axis = -1 if class_axis is None else class_axis
        self.gt_key = "gt_labels" if gt_key is None else gt_key
        self.unit = "points" if unit is None else unit
        AgreementCounter(self.min_label_agreement)  # validates the gate once, at construction

    def parse_predictions(self, output: Any, sample: Mapping[str, Any]) -> Any:
        return output["labels"]

    def parse_ground_truth(self, sample: Mapping[str, Any]) -> Any:
        return sample[self.gt_key]

    def verify(
        self,
        key: str,
        ref: Any,
        test: Any,
        samples: Any,
        num_samples: int,
        compare: Callable[[Any, Any], Any],
        progress: Callable[[range, str], Any] | None = None,
    ):
        """Logits within tolerance on every sample, and the pooled label agreement at least the gate.

        Returns:
            ScenarioResult: The framework's result; its reason states the agreement rate.
        """
        counter = AgreementCounter(self.min_label_agreement, self.unit)

        def compare_and_count(ref_out: Any, test_out: Any):
            counter.add(ref_out[self.logits_name], test_out[self.logits_name], self.class_axis)
            return compare(ref_out, test_out)

        result = super().verify(key, ref, test, samples, num_samples, compare_and_count, progress)
        if counter.total:
            _LOG.info("%s %s", key, counter.describe())
        return counter.gate(result)
