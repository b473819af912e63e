"""Inference pipelines of the project: projection preprocessing → backend → softmax/argmax, one for every backend.

The backend runners are the framework's generic ones (PyTorch, ONNX Runtime, TensorRT); only the pre- and
post-processing are the project's, so every backend sees exactly the same input tensor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from awml_deploy.core.arrays import as_numpy
from awml_deploy.core.errors import expected
from awml_deploy.pipelines.base import BaseInferencePipeline, ModelSpec
from awml_deploy.pipelines.factory import PipelineRegistry, wrapped_generic_registry
from awml_deploy.pipelines.runner import BaseRunner
from projects.calibration_status.projection import PreprocessSettings, build_input

PROJECT = "calibration_status"
INPUT_NAME = "input"
OUTPUT_NAME = "logits"
SAMPLE_KEYS = ("image", "points", "intrinsics", "extrinsics")


def preprocess_sample(sample: Mapping[str, Any], settings: PreprocessSettings) -> np.ndarray:
    """The (1, 5, H, W) float32 model input of one sample (image, points, intrinsics, extrinsics).

    Args:
        sample (Mapping[str, Any]): A sample with the raw sensor data and the calibration under test.
        settings (PreprocessSettings): Preprocessing settings.

    Returns:
        np.ndarray: The batched input.
    """
    missing = [k for k in SAMPLE_KEYS if k not in sample]
    if missing:
        expected("sample", "missing keys", list(SAMPLE_KEYS), sorted(sample))
    x = build_input(sample["image"], sample["points"], sample["intrinsics"], sample["extrinsics"], settings)
    return x[None]


def model_inputs(sample: Mapping[str, Any], settings: PreprocessSettings) -> dict[str, np.ndarray]:
    """``{"input": (1, 5, H, W)}``: the named model inputs of one sample (pipelines and export sample alike)."""
    return {INPUT_NAME: preprocess_sample(sample, settings)}


class CalibrationPipeline(BaseInferencePipeline):
    """Preprocess (the bundle's or AWML's fused input), run, then softmax + argmax.

    Args:
        runner (BaseRunner): Backend runner taking ``{"input": (B, 5, H, W)}`` and returning the logits.
        spec (ModelSpec): What runs where.
        to_inputs (Callable[[Mapping[str, Any]], dict]): Sample → named model inputs.
        labels (Sequence[str]): Class names in logit order.
        output_name (str | None): Name of the logits output. Defaults to "logits".
    """

    def __init__(
        self,
        runner: BaseRunner,
        spec: ModelSpec,
        to_inputs: Callable[[Mapping[str, Any]], dict],
        labels: Sequence[str],
        output_name: str | None = None,
    ) -> None:
        super().__init__(runner, spec)
        self.to_inputs = to_inputs
        self.labels = tuple(labels)
        self.output_name = OUTPUT_NAME if output_name is None else output_name

    def preprocess(self, sample: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict]:
        return self.to_inputs(sample), {"uuid": sample.get("uuid")}

    def postprocess(self, raw_output: Any, metadata: dict) -> dict:
        logits = as_numpy(raw_output[self.output_name]).astype(np.float64)
        if logits.shape != (1, len(self.labels)):
            expected(f"{self.spec.label} logits", "wrong shape", [1, len(self.labels)], list(logits.shape))
        probs = np.exp(logits[0] - logits[0].max())
        probs /= probs.sum()
        index = int(probs.argmax())
        return {"label": self.labels[index], "index": index, "score": float(probs[index]), "logits": logits[0]}


def pipeline_registry(
    to_inputs: Callable[[Mapping[str, Any]], dict], labels: Sequence[str], output_name: str | None = None
) -> PipelineRegistry:
    """The project's pipelines: the generic backend runners wrapped in :class:`CalibrationPipeline`.

    Args:
        to_inputs (Callable[[Mapping[str, Any]], dict]): Sample → named model inputs.
        labels (Sequence[str]): Class names in logit order.
        output_name (str | None): Name of the logits output. Defaults to "logits".

    Returns:
        PipelineRegistry: Builders for pytorch, onnx and tensorrt under the project name.
    """
    return wrapped_generic_registry(
        PROJECT, lambda runner, spec: CalibrationPipeline(runner, spec, to_inputs, labels, output_name)
    )
