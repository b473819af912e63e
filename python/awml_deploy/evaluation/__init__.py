"""Evaluation: `BaseEvaluator` (+ `SegmentationEvaluator`), latency statistics, metrics interfaces backed by
`awml_deploy.metrics`."""

from awml_deploy.evaluation.evaluator import BaseEvaluator, EvalResultDict
from awml_deploy.evaluation.latency import LatencyStats, summarize_stages
from awml_deploy.evaluation.metrics_interfaces import (
    BaseMetricsInterface,
    ClassificationMetricsInterface,
    Detection2DMetricsInterface,
    Detection3DMetricsInterface,
    SegmentationMetricsInterface,
)
from awml_deploy.evaluation.segmentation import SegmentationEvaluator

__all__ = [
    "BaseEvaluator",
    "BaseMetricsInterface",
    "ClassificationMetricsInterface",
    "Detection2DMetricsInterface",
    "Detection3DMetricsInterface",
    "EvalResultDict",
    "LatencyStats",
    "SegmentationEvaluator",
    "SegmentationMetricsInterface",
    "summarize_stages",
]
