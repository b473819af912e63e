"""`deploy()`: one run end to end — lock, run directory, log, stages, reports, summary, exit code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib
import sys
import time

from awml_deploy.core.enums import ExportMode
from awml_deploy.core.errors import EXIT_GATE_FAILED, EXIT_OK, DeployError, describe_unexpected
from awml_deploy.core.fsio import atomic_write_json, atomic_write_text, json_safe, work_dir_lock
from awml_deploy.core.logging import close_logging, get_logger, setup_logging
from awml_deploy.core.native import require_tensorrt, tensorrt_availability
from awml_deploy.report.console import summary_lines
from awml_deploy.report.json_report import build_report
from awml_deploy.report.markdown import render_markdown
from awml_deploy.runtime.context import RunContext
from awml_deploy.runtime.runner import BaseDeploymentRunner

_LOG = get_logger("run")
RUNS_DIR_NAME = "runs"
MANIFEST_NAME = "manifest.json"
MANIFEST_KEYS = ("project", "run_dir", "finished_at", "passed", "config_hash", "config", "environment")


@dataclasses.dataclass(frozen=True)
class RunOutcome:
    """What :func:`deploy` returns.

    Attributes:
        exit_code: 0 all enabled gates passed, 1 a gate failed.
        run_dir: This run's directory.
        report_json: report.json path.
        report_md: report.md path.
        report: The report content.
    """

    exit_code: int
    run_dir: pathlib.Path
    report_json: pathlib.Path
    report_md: pathlib.Path
    report: dict


def new_run_dir(work_dir: pathlib.Path) -> pathlib.Path:
    """Creates ``<work_dir>/runs/<UTC timestamp>`` (unique)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    base = work_dir / RUNS_DIR_NAME
    for attempt in range(1000):
        candidate = base / (stamp if attempt == 0 else f"{stamp}-{attempt}")
        try:
            candidate.mkdir(parents=True, exist_ok=False)
            return candidate
        except FileExistsError:
            continue
    raise FileExistsError(base / stamp)


def _run_stages(runner: BaseDeploymentRunner, context: RunContext, project: str | None) -> DeployError | None:
    """Runs the stages; a stopping error is returned (and logged to the file only: the CLI prints it once)."""
    config = context.config
    _LOG.info("project %s, export mode %s, run dir %s", project, config.export.mode, context.run_dir)
    if not context.tensorrt.available:
        _LOG.info(context.tensorrt_skip_reason)
    try:
        runner.run(context)
    except DeployError as err:
        _LOG.debug("run stopped: %s", err)
        return err
    except Exception as err:  # noqa: BLE001 - a bug anywhere: one line, traceback in the log file
        error = DeployError(describe_unexpected("run", err), EXIT_GATE_FAILED)
        _LOG.debug("run stopped: %s", error)
        return error
    return None


def deploy(runner: BaseDeploymentRunner, project: str | None = None, console: bool | None = None) -> RunOutcome:
    """Runs one deployment and writes report.json / report.md into a fresh run directory.

    Args:
        runner (BaseDeploymentRunner): The project runner.
        project (str | None): Project name for the report. Defaults to ``runner.project``.
        console (bool | None): Print the one-screen summary to stdout. Defaults to True.

    Returns:
        RunOutcome: Exit code, paths and report. A run-stopping error is raised as DeployError after the report
        is written (exit code 2 for configuration errors, 1 for crashes in project code).
    """
    project = runner.project if project is None else project
    console = True if console is None else console
    config = runner.config
    if config.export.mode is ExportMode.TRT:
        require_tensorrt("export.mode=trt")
    work_dir = pathlib.Path(config.export.work_dir)
    with work_dir_lock(work_dir):
        run_dir = new_run_dir(work_dir)
        log_file = setup_logging(config.logging.level, run_dir / config.logging.file)
        context = RunContext(config, run_dir, runner.artifact_manager(), tensorrt_availability())
        started = time.time()
        try:
            error = _run_stages(runner, context, project)
            report = json_safe(build_report(context.record(project, started, time.time(), str(log_file), error)))
            report_json = atomic_write_json(run_dir / "report.json", report)
            report_md = atomic_write_text(run_dir / "report.md", render_markdown(report))
            manifest = {key: report[key] for key in MANIFEST_KEYS}
            context.artifacts.write_manifest(work_dir / MANIFEST_NAME, manifest)
            for line in summary_lines(report, str(report_json)) if console else ():
                print(line, file=sys.stdout)
        finally:
            close_logging()
    if error is not None:
        raise error
    return RunOutcome(EXIT_OK if report["passed"] else EXIT_GATE_FAILED, run_dir, report_json, report_md, report)
