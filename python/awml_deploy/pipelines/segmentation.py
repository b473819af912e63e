"""`SegmentationPipeline`: per-point or per-pixel logits → labels, on top of :class:`BaseInferencePipeline`.

The split is the same as for the other tasks: a project implements :meth:`preprocess` (sample → named inputs,
identical for every backend); the backend runner produces the raw logits; the shared :meth:`postprocess` turns
them into integer labels and the winning class probability. Verification compares the raw logits (tolerances)
and, through :func:`awml_deploy.verification.agreement.label_agreement`, the labels (agreement gate).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from awml_deploy.core.arrays import as_numpy
from awml_deploy.core.errors import expected
from awml_deploy.pipelines.base import BaseInferencePipeline, ModelSpec
from awml_deploy.pipelines.runner import BaseRunner


def logits_to_labels(logits: Any, class_axis: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Argmax labels and the softmax probability of the winning class.

    Args:
        logits (Any): Logits with the classes along ``class_axis`` (e.g. ``(N, K)`` points or ``(K, H, W)``).
        class_axis (int | None): Axis of the classes. Defaults to -1.

    Returns:
        tuple: ``labels`` int64 and ``scores`` float32, both shaped like ``logits`` without the class axis.
    """
    class_axis = -1 if class_axis is None else class_axis
    values = np.moveaxis(as_numpy(logits).astype(np.float32, copy=False), class_axis, -1)
    labels = values.argmax(axis=-1).astype(np.int64)
    top = np.take_along_axis(values, labels[..., None], axis=-1)[..., 0]
    # softmax of the winning class = 1 / sum(exp(l - l_max)), without materialising all probabilities
    scores = 1.0 / np.exp(values - top[..., None]).sum(axis=-1)
    return labels, scores.astype(np.float32)


class SegmentationPipeline(BaseInferencePipeline, abc.ABC):
    """Preprocess (project) → backend → argmax over classes (shared).

    Args:
        runner (BaseRunner): Backend runner returning ``{logits_name: logits}``.
        spec (ModelSpec): What runs where.
        labels (Sequence[str]): Class names in logit order.
        logits_name (str | None): Name of the logits output. Defaults to "logits".
        class_axis (int | None): Class axis of the logits: -1 for ``(N, K)`` per-point logits, 1 for
            ``(B, K, H, W)`` per-pixel ones. Defaults to -1.
    """

    def __init__(
        self,
        runner: BaseRunner,
        spec: ModelSpec,
        labels: Sequence[str],
        logits_name: str | None = None,
        class_axis: int | None = None,
    ) -> None:
        super().__init__(runner, spec)
        self.labels = tuple(labels)
        self.logits_name = "logits" if logits_name is None else logits_name
        self.class_axis = -1 if class_axis is None else class_axis

    @abc.abstractmethod
    def preprocess(self, sample: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict]:
        """Sample → named model inputs + metadata (``metadata["num_elements"]``, if set, is checked)."""

    def postprocess(self, raw_output: Any, metadata: dict) -> dict:
        """Logits → ``{"labels", "scores", "logits"}``; checks the class count and, if known, the element count.

        Returns:
            dict: ``labels`` (int64) and ``scores`` (float32) shaped like the logits without the class axis, and
            the logits as a NumPy array.
        """
        if self.logits_name not in raw_output:
            expected(f"{self.spec.label} outputs", "no logits output", repr(self.logits_name), sorted(raw_output))
        logits = as_numpy(raw_output[self.logits_name])
        if logits.ndim == 0 or logits.shape[self.class_axis] != len(self.labels):
            expected(
                f"{self.spec.label} {self.logits_name}",
                "wrong class count",
                f"{len(self.labels)} classes on axis {self.class_axis}",
                list(logits.shape),
            )
        labels, scores = logits_to_labels(logits, self.class_axis)
        count = metadata.get("num_elements")
        if count is not None and labels.size != count:
            expected(f"{self.spec.label} {self.logits_name}", "wrong element count", count, labels.size)
        return {"labels": labels, "scores": scores, "logits": logits}
