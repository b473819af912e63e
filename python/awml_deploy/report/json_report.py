"""report.json: the complete, machine-readable record of one run."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from awml_deploy.core.errors import DeployError
from awml_deploy.core.provenance import environment

if TYPE_CHECKING:
    from awml_deploy.runtime.context import RunContext

FAILED = "failed"

SCHEMA = "awml-deploy.report/1"


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).isoformat(timespec="seconds")


def build_report(
    context: RunContext,
    project: str | None,
    started: float,
    finished: float,
    log_file: str | None,
    error: DeployError | None = None,
) -> dict:
    """Builds the report dict.

    Args:
        context (RunContext): The finished run.
        project (str | None): Project name.
        started (float): Start time (epoch seconds).
        finished (float): End time (epoch seconds).
        log_file (str | None): Log file path.
        error (DeployError | None): A run-stopping error, if any. Defaults to none.

    Returns:
        dict: JSON-ready report.
    """
    result = context.result
    failed = error is not None or not result.passed
    artifacts = {
        b.value: {**r.artifact.to_json_dict(), "source": r.source} for b, r in context.artifacts.all_resolved().items()
    }
    env = environment()
    env["tensorrt"] = {
        "available": context.tensorrt.available,
        "reason": context.tensorrt.reason,
        "version": context.tensorrt.version,
    }
    return {
        "schema": SCHEMA,
        "project": project,
        "run_dir": str(context.run_dir),
        "log_file": log_file,
        "started_at": _iso(started),
        "finished_at": _iso(finished),
        "duration_s": round(finished - started, 3),
        "export_mode": context.config.export.mode.value,
        "passed": not failed,
        "exit_code": (error.exit_code if error is not None else 1) if failed else 0,
        "error": None if error is None else str(error),
        "gates": [g.to_json_dict() for g in result.gates],
        "failed_gates": [g.name for g in result.gates if g.status == FAILED],
        "config_hash": context.config.config_hash,
        "config": context.config.to_json_dict(),
        "environment": env,
        "artifacts": artifacts,
        "export": result.export,
        "verification": result.verification,
        "evaluation": result.evaluation,
        "deltas": result.deltas,
    }
