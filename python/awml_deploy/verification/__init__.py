"""Verification: a recursive comparator (comparisons are data) and scenario runs per export mode."""

from awml_deploy.verification.comparator import CompareResult, NodeResult, compare_tree, make_comparator
from awml_deploy.verification.mixin import VerificationMixin
from awml_deploy.verification.results import ScenarioResult
from awml_deploy.verification.tolerances import Tolerances

__all__ = [
    "CompareResult",
    "NodeResult",
    "ScenarioResult",
    "Tolerances",
    "VerificationMixin",
    "compare_tree",
    "make_comparator",
]
