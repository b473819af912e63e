"""`BaseEvaluator`: runs a pipeline over samples with warm-up, feeds a metrics interface, times every stage."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from awml_deploy.core.logging import get_logger
from awml_deploy.core.samples import SampleSource
from awml_deploy.evaluation.latency import summarize_stages
from awml_deploy.evaluation.metrics_interfaces import BaseMetricsInterface
from awml_deploy.pipelines.base import BaseInferencePipeline
from awml_deploy.verification.mixin import VerificationMixin

_LOG = get_logger("evaluation")


class EvalResultDict(TypedDict):
    """What :meth:`BaseEvaluator.evaluate` returns (plain JSON data).

    Keys:
        backend: Backend name.
        device: Device string.
        num_samples: Timed and scored samples.
        warmup: Untimed warm-up runs.
        primary_metric: {"name": str, "value": float | None}.
        metrics: The metrics package's JSON result.
        latency: Stage → statistics (JSON form), including "total_ms".
    """

    backend: str
    device: str
    num_samples: int
    warmup: int
    primary_metric: dict
    metrics: dict
    latency: dict


class BaseEvaluator(VerificationMixin, abc.ABC):
    """Evaluates one pipeline at a time; projects implement the two conversion hooks.

    Args:
        metrics (BaseMetricsInterface): Metrics interface.
    """

    def __init__(self, metrics: BaseMetricsInterface) -> None:
        self.metrics = metrics

    @abc.abstractmethod
    def parse_predictions(self, output: Any, sample: Mapping[str, Any]) -> list[dict]:
        """Converts a pipeline output into metric objects (METRICS.md schema)."""

    @abc.abstractmethod
    def parse_ground_truth(self, sample: Mapping[str, Any]) -> list[dict]:
        """Converts a sample's ground truth into metric objects."""

    def evaluate(
        self,
        pipeline: BaseInferencePipeline,
        samples: SampleSource,
        num_samples: int | None = None,
        warmup: int | None = None,
        progress: Callable[[range, str], Any] | None = None,
    ) -> EvalResultDict:
        """Runs ``warmup`` untimed inferences, then scores and times ``num_samples`` samples.

        Args:
            pipeline (BaseInferencePipeline): The pipeline.
            samples (SampleSource): Data with ground truth.
            num_samples (int | None): Samples (-1 = all). Defaults to all.
            warmup (int | None): Warm-up runs on sample 0. Defaults to 0.
            progress (Callable[[range, str], Any] | None): Wraps the sample loop. Defaults to none.

        Returns:
            EvalResultDict: Metrics and latency.
        """
        total = len(samples)
        num_samples = total if num_samples is None or num_samples < 0 else min(num_samples, total)
        warmup = 0 if warmup is None else warmup
        label = pipeline.spec.label
        for _ in range(warmup if total else 0):
            pipeline.infer(samples.get_sample(0))
        self.metrics.reset()
        timings = []
        indices = range(num_samples)
        for index in progress(indices, f"evaluate {label}") if progress is not None else indices:
            sample = samples.get_sample(index)
            result = pipeline.infer(sample)
            timings.append(result.latency_ms)
            self.metrics.add_frame(
                self.parse_predictions(result.output, sample),
                self.parse_ground_truth(sample),
                sample.get("timestamp_us"),
            )
        metrics = self.metrics.compute()
        name, value = self.metrics.primary_metric(metrics)
        latency = {stage: stats.to_json_dict() for stage, stats in summarize_stages(timings).items()} if timings else {}
        _LOG.info(
            "%s: %s = %s over %d samples, total latency mean %.3f ms",
            label,
            name,
            value,
            num_samples,
            latency.get("total_ms", {}).get("mean", float("nan")),
        )
        return EvalResultDict(
            backend=pipeline.spec.backend.value,
            device=str(pipeline.spec.device),
            num_samples=num_samples,
            warmup=warmup,
            primary_metric={"name": name, "value": value},
            metrics=metrics,
            latency=latency,
        )
