"""Evaluation (ClassificationMetricsInterface + confusion matrix) and verification (logits + class agreement)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from awml_deploy.core.logging import get_logger
from awml_deploy.evaluation import BaseEvaluator, ClassificationMetricsInterface
from awml_deploy.verification.agreement import AgreementCounter
from projects.calibration_status.pipelines import OUTPUT_NAME

_LOG = get_logger("calibration_status")


def confusion_matrix(frames: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> list[list[int]]:
    """Counts (ground truth row, prediction column) over frames paired by uuid.

    Args:
        frames (Sequence[Mapping[str, Any]]): Frames in the METRICS.md schema ({"gt": [...], "pred": [...]}).
        labels (Sequence[str]): Label order of rows and columns.

    Returns:
        list[list[int]]: ``len(labels) × len(labels)`` counts; pairs with an unknown label are not counted.
    """
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for frame in frames:
        truth = {g["uuid"]: g["label"] for g in frame["gt"]}
        for pred in frame["pred"]:
            gt_label = truth.get(pred["uuid"])
            if gt_label in index and pred["label"] in index:
                matrix[index[gt_label], index[pred["label"]]] += 1
    return matrix.tolist()


class CalibrationEvaluator(BaseEvaluator):
    """Scores predicted calibration status against the label; verifies logits and the predicted classes.

    Args:
        labels (Sequence[str]): Class names in logit order.
        min_class_agreement (float | None): Verification gate: the fraction of compared samples whose predicted
            class is the same on both backends must reach this. Defaults to 1.0.
        output_name (str | None): Name of the logits output. Defaults to "logits".
    """

    def __init__(
        self, labels: Sequence[str], min_class_agreement: float | None = None, output_name: str | None = None
    ) -> None:
        super().__init__(ClassificationMetricsInterface({"labels": list(labels)}))
        self.labels = tuple(labels)
        self.min_class_agreement = 1.0 if min_class_agreement is None else float(min_class_agreement)
        self.output_name = OUTPUT_NAME if output_name is None else output_name
        AgreementCounter(self.min_class_agreement)  # validates the gate once, at construction

    def parse_predictions(self, output: Any, sample: Mapping[str, Any]) -> list[dict]:
        return [{"uuid": sample["uuid"], "label": output["label"], "score": output["score"]}]

    def parse_ground_truth(self, sample: Mapping[str, Any]) -> list[dict]:
        return [{"uuid": sample["uuid"], "label": sample["ground_truth"]}]

    def evaluate(self, pipeline, samples, num_samples=None, warmup=None, progress=None):
        """:meth:`BaseEvaluator.evaluate` plus ``metrics["confusion_matrix"]`` (rows: truth, columns: prediction) and
        ``metrics["top1_accuracy"]`` (correct / samples; the framework's ``accuracy`` is METRICS.md's
        ``TP / (num_pred + num_gt - TP)``)."""
        result = super().evaluate(pipeline, samples, num_samples, warmup, progress)
        matrix = confusion_matrix(self.metrics.frames, self.labels)
        total = sum(map(sum, matrix))
        top1 = sum(matrix[i][i] for i in range(len(matrix))) / total if total else None
        result["metrics"]["confusion_matrix"] = {"labels": list(self.labels), "counts": matrix}
        result["metrics"]["top1_accuracy"] = top1
        _LOG.info(
            "%s top-1 accuracy %s; confusion matrix (rows truth, cols prediction) %s: %s",
            pipeline.spec.label,
            top1,
            self.labels,
            matrix,
        )
        return result

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
        """Logits within tolerance on every sample, and the class agreement rate at least ``min_class_agreement``.

        Returns:
            ScenarioResult: The framework's result; its reason states the agreement rate.
        """
        counter = AgreementCounter(self.min_class_agreement, "samples")

        def compare_and_count(ref_out: Any, test_out: Any):
            counter.add(ref_out[self.output_name], test_out[self.output_name])
            return compare(ref_out, test_out)

        result = super().verify(key, ref, test, samples, num_samples, compare_and_count, progress)
        if counter.total:
            _LOG.info("%s %s", key, counter.describe())
        return counter.gate(result)
