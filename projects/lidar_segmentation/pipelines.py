"""Inference pipelines of the project: point checks → backend → argmax, one for every backend.

The backend runners are the framework's generic ones (PyTorch, ONNX Runtime, TensorRT); the range projection is
inside the network (and so inside the ONNX graph), so preprocessing is only the point-cloud contract:
``(N, >= 4)`` finite floats, of which x, y, z, intensity are used, as float32.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from awml_deploy.core.errors import expected
from awml_deploy.pipelines.factory import PipelineRegistry, wrapped_generic_registry
from awml_deploy.pipelines.segmentation import SegmentationPipeline

PROJECT = "lidar_segmentation"
INPUT_NAME = "points"
OUTPUT_NAME = "logits"
POINT_WIDTH = 4


def check_points(points: object, path: str | None = None) -> np.ndarray:
    """Validates a cloud and returns its (N, 4) float32 x, y, z, intensity.

    Args:
        points (object): (N, >= 4) float array.
        path (str | None): Name for messages. Defaults to "points".

    Returns:
        np.ndarray: C-contiguous (N, 4) float32.
    """
    path = "points" if path is None else path
    pts = np.asarray(points)
    if pts.ndim != 2 or pts.shape[1] < POINT_WIDTH or not np.issubdtype(pts.dtype, np.floating):
        expected(
            path, "bad point cloud", "a float array (N, >=4) of x, y, z, intensity", f"{pts.dtype}{list(pts.shape)}"
        )
    pts = np.ascontiguousarray(pts[:, :POINT_WIDTH], dtype=np.float32)
    if not np.isfinite(pts).all():
        expected(path, "non-finite values", "finite x, y, z, intensity", f"{int((~np.isfinite(pts)).sum())} values")
    return pts


def model_inputs(sample: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """``{"points": (N, 4)}``: the named model inputs of one sample (pipelines and export sample alike)."""
    if INPUT_NAME not in sample:
        expected("sample", "missing points", f"a sample with {INPUT_NAME!r}", sorted(sample))
    return {INPUT_NAME: check_points(sample[INPUT_NAME])}


class LidarSegmentationPipeline(SegmentationPipeline):
    """Point checks, then the network on any backend, then the framework's argmax (per point).

    Args:
        runner: Backend runner taking ``{"points": (N, 4)}`` and returning ``{"logits": (N, K)}``.
        spec (ModelSpec): What runs where.
        labels (Sequence[str]): Class names in logit order.
    """

    def preprocess(self, sample: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict]:
        inputs = model_inputs(sample)
        return inputs, {"num_elements": len(inputs[INPUT_NAME]), "frame_index": sample.get("frame_index")}


def pipeline_registry(labels: Sequence[str]) -> PipelineRegistry:
    """The project's pipelines: the generic backend runners wrapped in :class:`LidarSegmentationPipeline`.

    Args:
        labels (Sequence[str]): Class names.

    Returns:
        PipelineRegistry: Builders for pytorch, onnx and tensorrt under the project name.
    """
    return wrapped_generic_registry(
        PROJECT, lambda runner, spec: LidarSegmentationPipeline(runner, spec, labels, OUTPUT_NAME)
    )
