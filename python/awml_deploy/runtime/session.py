"""`deploy()`: one run end to end — up-front checks, lock, run directory, log, housekeeping, stages, integrity
check, reports, manifest, summary, exit code.

The manifest is a statement about this run: ``<run_dir>/manifest.json`` is always written; ``<work_dir>/manifest
.json`` only when the run passed, so a failed run never replaces the last passing one. Every file-system error
is one line (exit 2), never a traceback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import pathlib
import shutil
import sys
import time
from collections.abc import Iterator

from awml_deploy.config.deploy_config import DeployConfig
from awml_deploy.core.enums import Backend, ExportMode
from awml_deploy.core.errors import EXIT_GATE_FAILED, EXIT_OK, DeployError, describe_unexpected, expected, fail
from awml_deploy.core.fsio import atomic_write_json, atomic_write_text, json_safe, work_dir_lock
from awml_deploy.core.logging import close_logging, get_logger, setup_logging
from awml_deploy.core.native import require_tensorrt, tensorrt_availability
from awml_deploy.report.console import summary_lines
from awml_deploy.report.json_report import build_report
from awml_deploy.report.markdown import render_markdown
from awml_deploy.runtime.context import RunContext
from awml_deploy.runtime.export_orchestrator import ONNX_DIR_NAME, TENSORRT_DIR_NAME
from awml_deploy.runtime.housekeeping import MANIFEST_NAME, RUNS_DIR_NAME, changed_files, clean_leftovers
from awml_deploy.runtime.results import FAILED, PASSED
from awml_deploy.runtime.runner import BaseDeploymentRunner

_LOG = get_logger("run")
RUN_DIR_FILES = ("report.json", "report.md", MANIFEST_NAME)
MIN_FREE_BYTES = 4 << 20
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


@contextlib.contextmanager
def file_system_errors(subject: str, accepted: str) -> Iterator[None]:
    """Turns an OSError inside the block into one line (exit 2) naming ``subject`` and the file."""
    try:
        yield
    except OSError as err:
        where = err.filename if err.filename is not None else subject
        fail(f"{subject} | {err.strerror or type(err).__name__}. Note: expected {accepted}, got {where}", cause=err)


def _existing_ancestor(path: pathlib.Path) -> pathlib.Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_configured_paths(config: DeployConfig) -> list[str]:
    """``export.onnx_path`` and ``evaluation.backends.<b>.artifact`` must exist (a missing one would be ignored
    silently), unless the artifact is the folder this run exports for that backend; an absolute
    ``checkpoint_path`` / ``runtime_io.info_file`` must exist and the checkpoint must not be a directory.

    Returns the one-line notices for configured paths this run does not use (logged once the run's log is set up).
    """
    notices: list[str] = []
    work_dir = pathlib.Path(config.export.work_dir)
    mode = config.export.mode
    produced = {Backend.ONNX: work_dir / ONNX_DIR_NAME if mode.exports_onnx else None}
    produced[Backend.TENSORRT] = work_dir / TENSORRT_DIR_NAME if mode.exports_tensorrt else None
    checkpoint = config.checkpoint_path
    if checkpoint is not None and pathlib.Path(checkpoint).is_dir():
        expected("checkpoint_path", "is a directory", "a checkpoint file", checkpoint)
    for key, value in (("checkpoint_path", checkpoint), ("runtime_io.info_file", config.runtime_io.info_file)):
        # Relative paths are the project's to resolve (e.g. against the repository root); absolute ones must exist.
        if value is not None and os.path.isabs(value) and not os.path.exists(value):
            expected(key, "path does not exist", "an existing file", value)
    onnx_path = config.export.onnx_path
    if onnx_path is not None and produced[Backend.ONNX] is not None and not pathlib.Path(onnx_path).exists():
        # AWML's reference configs set onnx_path=<work_dir>/onnx, a fallback a run that exports ONNX never reads
        notices.append(
            f"export.onnx_path | {onnx_path} does not exist and is not used: this run exports ONNX to "
            f"{produced[Backend.ONNX]}"
        )
    elif onnx_path is not None and not pathlib.Path(onnx_path).exists():
        expected(
            "export.onnx_path", "path does not exist", "an existing ONNX file or directory", config.export.onnx_path
        )
    for backend, settings in config.evaluation.backends.items():
        path = settings.artifact
        if path is None or pathlib.Path(path).exists():
            continue
        if backend is Backend.TENSORRT and not tensorrt_availability().available:
            continue  # the backend is skipped on this machine (said in the log and the report)
        target = produced.get(backend)
        if target is not None and pathlib.Path(path).absolute() == target.absolute():
            continue
        if target is not None:  # this run's export is what gets evaluated (registered artifacts come first)
            notices.append(
                f"evaluation.backends.{backend.value}.artifact | {path} does not exist and is not used: this run "
                f"exports to {target}"
            )
            continue
        expected(
            f"evaluation.backends.{backend.value}.artifact",
            "path does not exist",
            "an existing file or directory (or the folder this run exports)",
            path,
        )
    return notices


def check_run_inputs(config: DeployConfig) -> list[str]:
    """Up-front checks of the work dir, the log file name and configured paths, before anything is written.

    Args:
        config (DeployConfig): The validated config.

    Returns:
        list[str]: One-line notices to log once the run's log is set up.
    """
    notices = check_configured_paths(config)
    work_dir = pathlib.Path(config.export.work_dir)
    log_name = config.logging.file
    if "\x00" in log_name:
        expected("logging.file", "contains a NUL character", "a plain file name like 'deploy.log'", log_name)
    if len(os.fsencode(log_name)) > 255:
        expected("logging.file", "file name too long", "a name of at most 255 bytes", f"{len(log_name)} characters")
    if log_name in RUN_DIR_FILES:
        expected(
            "logging.file",
            "would replace a file the run writes",
            "a name other than " + "|".join(RUN_DIR_FILES),
            log_name,
        )
    if "\x00" in str(work_dir):
        expected("export.work_dir", "contains a NUL character", "a directory path", str(work_dir))
    if work_dir.exists() and not work_dir.is_dir():
        expected("export.work_dir", "is not a directory", "a directory (created if missing)", str(work_dir))
    runs = work_dir / RUNS_DIR_NAME
    if runs.exists() and not runs.is_dir():
        expected(f"export.work_dir {work_dir}", f"{runs} is not a directory", "runs/ to be a directory", str(runs))
    with file_system_errors("export.work_dir", "a writable directory on a file system with free space"):
        anchor = _existing_ancestor(work_dir)
        free = shutil.disk_usage(anchor).free
        writable = os.access(anchor, os.W_OK | os.X_OK)
    if not writable:
        expected("export.work_dir", f"{anchor} is not writable", "a writable directory", str(work_dir))
    if free < MIN_FREE_BYTES:
        expected(
            "export.work_dir", "not enough free disk space", f">= {MIN_FREE_BYTES >> 20} MiB free", f"{free} B free"
        )
    return notices


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


def check_integrity(context: RunContext) -> None:
    """Hashes every artifact file again; a file changed since it was verified fails the ``integrity`` gate."""
    artifacts = [r.artifact.to_json_dict() for r in context.artifacts.all_resolved().values()]
    if not artifacts:
        return
    problems = changed_files(artifacts)
    if problems:
        reason = "changed or missing since it was verified: " + "; ".join(problems)
        _LOG.error("integrity: %s", reason)
        context.result.add_gate("integrity.artifacts", FAILED, reason)
    else:
        context.result.add_gate("integrity.artifacts", PASSED)


def _start(work_dir: pathlib.Path, config) -> tuple[pathlib.Path, pathlib.Path | None]:
    with file_system_errors(f"{work_dir / RUNS_DIR_NAME}", "a writable runs/ directory in the work dir"):
        run_dir = new_run_dir(work_dir)
    with file_system_errors("logging.file", "a writable file name like 'deploy.log' in the run dir"):
        log_file = setup_logging(config.logging.level, run_dir / config.logging.file)
    return run_dir, log_file


def deploy(runner: BaseDeploymentRunner, project: str | None = None, console: bool | None = None) -> RunOutcome:
    """Runs one deployment and writes report.json / report.md / manifest.json into a fresh run directory.

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
    notices = check_run_inputs(config)
    with contextlib.ExitStack() as held:
        with file_system_errors("export.work_dir", "a writable directory"):
            held.enter_context(work_dir_lock(work_dir))
        run_dir, log_file = _start(work_dir, config)
        for notice in notices:
            get_logger("config").warning("%s", notice)
        context = RunContext(config, run_dir, runner.artifact_manager(), tensorrt_availability())
        try:
            with file_system_errors(f"export.work_dir {work_dir}", "leftovers of earlier runs that can be removed"):
                clean_leftovers(work_dir, run_dir, context.housekeeping)
            started = time.time()
            error = _run_stages(runner, context, project)
            if error is None:
                check_integrity(context)
            report = json_safe(build_report(context.record(project, started, time.time(), str(log_file), error)))
            manifest = {key: report[key] for key in MANIFEST_KEYS}
            manifest["artifacts"] = report["artifacts"]
            with file_system_errors(f"report {run_dir}", "space and permission to write the report"):
                report_json = atomic_write_json(run_dir / "report.json", report)
                report_md = atomic_write_text(run_dir / "report.md", render_markdown(report))
                atomic_write_json(run_dir / MANIFEST_NAME, manifest)
            if report["passed"]:
                with file_system_errors(f"manifest {work_dir / MANIFEST_NAME}", "space to write the manifest"):
                    atomic_write_json(work_dir / MANIFEST_NAME, manifest)
            for line in summary_lines(report, str(report_json)) if console else ():
                print(line, file=sys.stdout)
        finally:
            close_logging()
    if error is not None:
        raise error
    return RunOutcome(EXIT_OK if report["passed"] else EXIT_GATE_FAILED, run_dir, report_json, report_md, report)
