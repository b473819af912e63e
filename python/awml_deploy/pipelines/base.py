"""`BaseInferencePipeline`: preprocess → run_model → postprocess, each stage timed with device synchronisation."""

from __future__ import annotations

import abc
import dataclasses
import time
from collections.abc import Mapping
from typing import Any

from awml_deploy.core.artifacts import Artifact
from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.enums import Backend
from awml_deploy.pipelines.runner import BaseRunner

STAGES = ("preprocess_ms", "model_ms", "postprocess_ms")


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """What a pipeline runs.

    Attributes:
        backend: Backend.
        device: Device.
        artifact: Checkpoint, ONNX or engine artifact.
    """

    backend: Backend
    device: DeviceSpec
    artifact: Artifact

    @property
    def label(self) -> str:
        """str: e.g. "onnx@cpu"."""
        return f"{self.backend}@{self.device}"


@dataclasses.dataclass(frozen=True)
class InferenceResult:
    """One inference.

    Attributes:
        output: Post-processed output (None when only raw outputs were asked for).
        raw_output: Model outputs before post-processing.
        latency_ms: Stage name → milliseconds, plus "total_ms".
    """

    output: Any
    raw_output: Any
    latency_ms: Mapping[str, float]


class BaseInferencePipeline(abc.ABC):
    """A backend-agnostic inference pipeline around a runner.

    Args:
        runner (BaseRunner): Backend runner.
        spec (ModelSpec): What runs where.
    """

    def __init__(self, runner: BaseRunner, spec: ModelSpec) -> None:
        self.runner = runner
        self.spec = spec

    @abc.abstractmethod
    def preprocess(self, sample: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict]:
        """Turns a sample into the runner's named inputs plus metadata (a new dict; the sample is not mutated)."""

    def run_model(self, feed: Mapping[str, Any]) -> Any:
        """Runs the backend. Defaults to ``runner.infer(feed)``."""
        return self.runner.infer(feed)

    def postprocess(self, raw_output: Any, metadata: dict) -> Any:
        """Turns raw outputs into task outputs. Defaults to the raw outputs."""
        return raw_output

    def synchronize(self) -> None:
        """Waits for the device before a timestamp is taken."""
        self.runner.synchronize()

    def infer(self, sample: Mapping[str, Any], raw_only: bool | None = None) -> InferenceResult:
        """Runs the three stages, timing each after a device synchronisation.

        Args:
            sample (Mapping[str, Any]): One sample (project format).
            raw_only (bool | None): Skip post-processing (verification). Defaults to False.

        Returns:
            InferenceResult: Outputs and per-stage latency.
        """
        raw_only = False if raw_only is None else raw_only
        self.runner.activate()
        timings: dict[str, float] = {}
        self.synchronize()
        start = time.perf_counter()
        feed, metadata = self.preprocess(sample)
        self.synchronize()
        t1 = time.perf_counter()
        raw = self.run_model(feed)
        self.synchronize()
        t2 = time.perf_counter()
        output = None if raw_only else self.postprocess(raw, metadata)
        self.synchronize()
        end = time.perf_counter()
        timings["preprocess_ms"] = (t1 - start) * 1e3
        timings["model_ms"] = (t2 - t1) * 1e3
        if not raw_only:
            timings["postprocess_ms"] = (end - t2) * 1e3
        timings["total_ms"] = (end - start) * 1e3
        return InferenceResult(output, raw, timings)

    def close(self) -> None:
        """Releases the runner."""
        self.runner.deactivate()

    def __enter__(self) -> BaseInferencePipeline:
        self.runner.activate()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TensorPipeline(BaseInferencePipeline):
    """The generic pipeline: ``sample["inputs"]`` (name → array) goes to the runner as is."""

    def preprocess(self, sample: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict]:
        return dict(sample["inputs"]), dict(sample.get("meta", {}))
