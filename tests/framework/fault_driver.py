"""Runs the tiny project through the CLI and kills itself with SIGKILL at one stage (for the fault test).

Usage: ``python fault_driver.py <stage> <config.json>``; stage is one of :data:`STAGES` or ``none``. The kill is
a real ``kill -9`` of this process (no cleanup, no finally blocks), placed deterministically by wrapping the
function that starts the stage.
"""

from __future__ import annotations

import os
import pathlib
import signal
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

STAGES = ("onnx_temp_file", "verification", "evaluation", "report", "manifest")
SIGTERM_IN_TEMP_FILE = "sigterm_onnx_temp_file"  # not a kill: SIGTERM while the exported graph is in its temp file
DISK_FULL = "disk_full_before_report"  # not a kill: fills the work dir's file system before the report is written


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def install(stage: str) -> None:
    """Wraps the function that starts ``stage`` so that the process is killed there."""
    from awml_deploy.core import fsio
    from awml_deploy.exporters import onnx as onnx_exporter
    from awml_deploy.runtime import evaluation_orchestrator, session, verification_orchestrator

    if stage == "onnx_temp_file":  # the exported graph is complete in its temp file, not yet renamed
        original = fsio.atomic_write
        onnx_exporter.atomic_write = lambda path, write: original(path, lambda tmp: (write(tmp), _die()))
    elif stage == SIGTERM_IN_TEMP_FILE:
        original = fsio.atomic_write
        onnx_exporter.atomic_write = lambda path, write: original(
            path, lambda tmp: (write(tmp), os.kill(os.getpid(), signal.SIGTERM), time.sleep(5))
        )
    elif stage == "verification":
        verification_orchestrator.VerificationOrchestrator.run = lambda self: _die()
    elif stage == "evaluation":
        evaluation_orchestrator.EvaluationOrchestrator.run = lambda self: _die()
    elif stage == "report":  # report.json written, report.md in its temp file
        session.atomic_write_text = lambda path, text: fsio.atomic_write(
            path, lambda tmp: (tmp.write_text(text[:10]), _die())
        )
    elif stage == "manifest":  # the work dir's manifest in its temp file
        original_json = session.atomic_write_json

        def write_json(path, payload):
            if "runs" in pathlib.Path(path).parts:
                return original_json(path, payload)
            return fsio.atomic_write(path, lambda tmp: (tmp.write_text("{"), _die()))

        session.atomic_write_json = write_json
    elif stage == DISK_FULL:
        original_check = session.check_integrity

        def fill_then_check(context):
            original_check(context)
            with open(context.work_dir / "filler", "wb", buffering=0) as handle:
                try:
                    while True:
                        handle.write(b"\0" * 65536)
                except OSError:
                    pass

        session.check_integrity = fill_then_check
    elif stage != "none":
        raise SystemExit(f"unknown stage {stage}")


def main() -> int:
    stage, config = sys.argv[1], sys.argv[2]
    from awml_deploy.cli.main import main as cli_main
    from awml_deploy.runtime import register_project

    register_project("tiny_cnn", "tiny_project")
    install(stage)
    return cli_main(["tiny_cnn", config])


if __name__ == "__main__":
    sys.exit(main())
