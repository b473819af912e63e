"""Verification results as data: per sample, per scenario."""

from __future__ import annotations

import dataclasses

from awml_deploy.verification.comparator import CompareResult

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclasses.dataclass(frozen=True)
class SampleResult:
    """One compared sample.

    Attributes:
        index: Sample index.
        nodes: {output path: NodeResult}.
        ref_latency_ms / test_latency_ms: Per-stage latency of each side.
    """

    index: int
    nodes: CompareResult
    ref_latency_ms: dict
    test_latency_ms: dict

    @property
    def passed(self) -> bool:
        """bool: Every node passed."""
        return self.nodes.passed

    def to_json_dict(self) -> dict:
        """JSON form."""
        return {
            "index": self.index,
            "passed": self.passed,
            "nodes": self.nodes.to_json_dict(),
            "ref_latency_ms": self.ref_latency_ms,
            "test_latency_ms": self.test_latency_ms,
        }


@dataclasses.dataclass(frozen=True)
class ScenarioResult:
    """One scenario (ref vs test pair).

    Attributes:
        key: e.g. "pytorch_cpu_vs_onnx_cpu".
        status: passed | failed | skipped.
        reason: Why failed/skipped.
        precision: "fp32" or "fp16" (which default tolerances applied).
        tolerances: The tolerances used (JSON form).
        samples: Per-sample results.
        artifacts: {"ref": path, "test": path}.
    """

    key: str
    status: str
    reason: str = ""
    precision: str = "fp32"
    tolerances: dict = dataclasses.field(default_factory=dict)
    samples: tuple[SampleResult, ...] = ()
    artifacts: dict = dataclasses.field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.status != FAILED

    def worst(self) -> dict[str, dict]:
        """Per output path, the worst statistics over samples (max of max_abs/max_rel, min cosine, any failure)."""
        table: dict[str, dict] = {}
        for sample in self.samples:
            for path, node in sample.nodes.items():
                row = table.setdefault(
                    path,
                    {
                        "passed": True,
                        "max_abs": 0.0,
                        "mean_abs": 0.0,
                        "max_rel": 0.0,
                        "cosine": 1.0,
                        "nan_inf": 0,
                        "shape": node.ref_shape,
                        "reason": "",
                    },
                )
                row["passed"] = row["passed"] and node.passed
                for key in ("max_abs", "mean_abs", "max_rel"):
                    value = getattr(node, key)
                    row[key] = value if value != value or value > row[key] else row[key]
                row["cosine"] = min(row["cosine"], node.cosine) if node.cosine == node.cosine else row["cosine"]
                row["nan_inf"] += node.ref_nan + node.test_nan + node.ref_inf + node.test_inf
                row["reason"] = row["reason"] or node.reason
        return table

    def to_json_dict(self) -> dict:
        """JSON form."""
        return {
            "key": self.key,
            "status": self.status,
            "reason": self.reason,
            "precision": self.precision,
            "tolerances": self.tolerances,
            "artifacts": self.artifacts,
            "summary": self.worst(),
            "samples": [s.to_json_dict() for s in self.samples],
        }
