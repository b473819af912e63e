"""Run results as data: gates and the whole deployment result."""

from __future__ import annotations

import dataclasses

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclasses.dataclass(frozen=True)
class Gate:
    """One checked condition of the run.

    Attributes:
        name: e.g. "export.onnx", "verification.pytorch_cpu_vs_onnx_cpu", "evaluation.onnx".
        status: passed | failed | skipped.
        reason: Why failed/skipped ("" when passed).
    """

    name: str
    status: str
    reason: str = ""

    def to_json_dict(self) -> dict:
        """JSON form."""
        return dataclasses.asdict(self)


@dataclasses.dataclass
class DeploymentResult:
    """Everything a run produced; serialised into report.json.

    Attributes:
        gates: Checked conditions in order.
        export: Export details per backend.
        verification: Scenario key → ScenarioResult JSON.
        evaluation: Backend → EvalResultDict (or {"error": ...}).
        deltas: Backend → primary-metric delta vs PyTorch.
    """

    gates: list[Gate] = dataclasses.field(default_factory=list)
    export: dict = dataclasses.field(default_factory=dict)
    verification: dict = dataclasses.field(default_factory=dict)
    evaluation: dict = dataclasses.field(default_factory=dict)
    deltas: dict = dataclasses.field(default_factory=dict)

    def add_gate(self, name: str, status: str, reason: str | None = None) -> Gate:
        """Appends a gate.

        Args:
            name (str): Gate name.
            status (str): passed | failed | skipped.
            reason (str | None): Reason. Defaults to "".

        Returns:
            Gate: The gate.
        """
        gate = Gate(name, status, "" if reason is None else reason)
        self.gates.append(gate)
        return gate

    @property
    def passed(self) -> bool:
        """bool: No gate failed."""
        return all(g.status != FAILED for g in self.gates)
