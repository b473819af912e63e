"""report.json: the complete, machine-readable record of one run."""

from __future__ import annotations

import dataclasses
import datetime as dt

from awml_deploy.core.errors import DeployError
from awml_deploy.core.provenance import environment

FAILED = "failed"

SCHEMA = "awml-deploy.report/1"


@dataclasses.dataclass(frozen=True)
class RunRecord:
    """The plain facts of one finished run that the report renders (built by the runtime, read here).

    Attributes:
        project: Project name, or None.
        run_dir: This run's directory.
        log_file: Log file path, or None.
        started: Start time (epoch seconds).
        finished: End time (epoch seconds).
        export_mode: ``export.mode`` value.
        config_hash: Hash of the validated config.
        config: The validated config as JSON.
        tensorrt: ``{"available", "reason", "version"}`` of the TensorRT probe.
        artifacts: Backend → resolved artifact JSON (with its ``source``).
        gates: Gate JSON dicts (``name``, ``status``, ``reason``) in order.
        export: Export details per backend.
        verification: Scenario key → scenario result JSON.
        evaluation: Backend → evaluation result.
        deltas: Backend → primary-metric delta vs PyTorch.
        housekeeping: What the run cleaned up or moved aside in the work dir.
        error: A run-stopping error, or None.
    """

    project: str | None
    run_dir: str
    log_file: str | None
    started: float
    finished: float
    export_mode: str
    config_hash: str
    config: dict
    tensorrt: dict
    artifacts: dict
    gates: list[dict]
    export: dict
    verification: dict
    evaluation: dict
    deltas: dict
    housekeeping: dict = dataclasses.field(default_factory=dict)
    error: DeployError | None = None


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).isoformat(timespec="seconds")


def build_report(record: RunRecord) -> dict:
    """Builds the report dict.

    Args:
        record (RunRecord): The finished run.

    Returns:
        dict: JSON-ready report.
    """
    error = record.error
    failed = error is not None or any(g["status"] == FAILED for g in record.gates)
    env = environment()
    env["tensorrt"] = dict(record.tensorrt)
    return {
        "schema": SCHEMA,
        "project": record.project,
        "run_dir": record.run_dir,
        "log_file": record.log_file,
        "started_at": _iso(record.started),
        "finished_at": _iso(record.finished),
        "duration_s": round(record.finished - record.started, 3),
        "export_mode": record.export_mode,
        "passed": not failed,
        "exit_code": (error.exit_code if error is not None else 1) if failed else 0,
        "error": None if error is None else str(error),
        "gates": list(record.gates),
        "failed_gates": [g["name"] for g in record.gates if g["status"] == FAILED],
        "config_hash": record.config_hash,
        "config": record.config,
        "environment": env,
        "artifacts": record.artifacts,
        "export": record.export,
        "verification": record.verification,
        "evaluation": record.evaluation,
        "deltas": record.deltas,
        "housekeeping": record.housekeeping,
    }
