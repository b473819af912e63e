"""Label agreement between two backends: a verification gate for classification and segmentation.

Logit tolerances catch numeric drift; the agreement rate says what the drift does to the decision. The gate
fails a scenario whose argmax labels agree on fewer than ``min_rate`` of the compared elements (points, pixels
or samples), even when every logit is within tolerance, and records the rate in the scenario's reason.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from awml_deploy.core.errors import expected
from awml_deploy.verification.results import FAILED, PASSED, ScenarioResult


def label_agreement(ref_logits: Any, test_logits: Any, class_axis: int | None = None) -> tuple[int, int]:
    """Counts elements whose argmax class is the same in both logits.

    Args:
        ref_logits (Any): Reference logits (array or tensor).
        test_logits (Any): Tested logits, same shape.
        class_axis (int | None): Axis of the classes. Defaults to -1.

    Returns:
        tuple[int, int]: ``(agreeing, total)`` elements.
    """
    from awml_deploy.core.arrays import as_numpy

    class_axis = -1 if class_axis is None else class_axis
    ref, test = as_numpy(ref_logits), as_numpy(test_logits)
    if ref.shape != test.shape or ref.ndim == 0:
        expected("label agreement", "logit shapes differ", list(ref.shape), list(test.shape))
    same = ref.argmax(axis=class_axis) == test.argmax(axis=class_axis)
    return int(same.sum()), int(same.size)


class AgreementCounter:
    """Accumulates :func:`label_agreement` over samples and gates a scenario on the pooled rate.

    Args:
        min_rate (float | None): Minimum agreement rate in [0, 1]. Defaults to 1.0.
        unit (str | None): What is counted, for messages ("points", "pixels", "samples"). Defaults to "elements".
    """

    def __init__(self, min_rate: float | None = None, unit: str | None = None) -> None:
        self.min_rate = 1.0 if min_rate is None else float(min_rate)
        if not 0.0 <= self.min_rate <= 1.0:
            expected("label agreement gate", "out of range", "a rate in [0, 1]", self.min_rate)
        self.unit = "elements" if unit is None else unit
        self.agreeing = 0
        self.total = 0

    def add(self, ref_logits: Any, test_logits: Any, class_axis: int | None = None) -> None:
        """Adds one sample's logits."""
        agreeing, total = label_agreement(ref_logits, test_logits, class_axis)
        self.agreeing += agreeing
        self.total += total

    @property
    def rate(self) -> float | None:
        """float | None: Pooled agreement rate (None before anything was counted)."""
        return self.agreeing / self.total if self.total else None

    def describe(self) -> str:
        """One line, e.g. ``label agreement 0.9998 (19996/20000 points, gate >= 0.999)``."""
        rate = "n/a" if self.rate is None else f"{self.rate:.6f}"
        return f"label agreement {rate} ({self.agreeing}/{self.total} {self.unit}, gate >= {self.min_rate:g})"

    def gate(self, result: ScenarioResult) -> ScenarioResult:
        """``result`` with the agreement in its reason, FAILED when the rate is below the gate.

        Args:
            result (ScenarioResult): The scenario after the logit comparison.

        Returns:
            ScenarioResult: The gated result (unchanged when nothing was counted).
        """
        if self.rate is None:
            return result
        text = self.describe()
        if self.rate < self.min_rate:
            reason = f"{result.reason}; {text}" if result.reason else text
            return dataclasses.replace(result, status=FAILED, reason=reason)
        reason = f"{result.reason}; {text}" if result.status != PASSED and result.reason else text
        return dataclasses.replace(result, reason=reason)
