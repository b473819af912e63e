"""What a run does with what earlier runs left in the work dir, and the integrity check before the report.

* Leftovers of killed runs: orphan ``.<name>.<random>.tmp`` files (interrupted atomic writes) are removed; run
  directories without both reports are renamed ``<stamp>.unfinished``. Both are named in the log and the report.
* Outputs of an earlier run: before this run writes ``onnx/`` or ``tensorrt/``, the earlier content is moved
  aside, so no stale file (an NMS variant, a single graph, a truncated file) can be hashed into this run's
  manifest. When a passing ``manifest.json`` vouches for that content, content and manifest move together into
  ``previous/`` (paths in the manifest rewritten), so the manifest still describes the files beside it; content
  no manifest vouches for (a failed or killed run's) is deleted.
* Before the report: every file of every artifact is hashed again; a file changed since it was registered
  (verified) fails the run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import shutil

from awml_deploy.core.fsio import LOCK_FILE_NAME, TMP_SUFFIX, atomic_write_json, sha256_file
from awml_deploy.core.logging import get_logger

_LOG = get_logger("housekeeping")
RUNS_DIR_NAME = "runs"
MANIFEST_NAME = "manifest.json"
PREVIOUS_DIR_NAME = "previous"
UNFINISHED_SUFFIX = ".unfinished"
REPORT_NAMES = ("report.json", "report.md")


@dataclasses.dataclass
class Housekeeping:
    """What this run found and did in its work dir.

    Attributes:
        removed_temp_files: Orphan temp files of killed runs, removed.
        unfinished_runs: Run directories without a report (killed runs), renamed ``<name>.unfinished``.
        retired: Output folders of an earlier run moved to ``previous/`` (vouched by a passing manifest).
        deleted: Output folders of an earlier run deleted (no passing manifest vouched for them).
    """

    removed_temp_files: list[str] = dataclasses.field(default_factory=list)
    unfinished_runs: list[str] = dataclasses.field(default_factory=list)
    retired: list[str] = dataclasses.field(default_factory=list)
    deleted: list[str] = dataclasses.field(default_factory=list)

    def to_json_dict(self) -> dict:
        """JSON form for report.json."""
        return dataclasses.asdict(self)


def _is_orphan_temp(path: pathlib.Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(TMP_SUFFIX) and path.name != LOCK_FILE_NAME


def clean_leftovers(work_dir: pathlib.Path, current_run: pathlib.Path, record: Housekeeping) -> None:
    """Removes orphan temp files and renames report-less run dirs; call while holding the work-dir lock.

    Args:
        work_dir (pathlib.Path): The work dir.
        current_run (pathlib.Path): This run's directory (left alone).
        record (Housekeeping): Receives what was found.
    """
    current = current_run.resolve()
    for root, dirs, files in os.walk(work_dir):
        root_path = pathlib.Path(root)
        if root_path.resolve() == current:
            dirs[:] = []
            continue
        for name in [*files, *dirs]:
            path = root_path / name
            if _is_orphan_temp(path):
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
                record.removed_temp_files.append(str(path))
                _LOG.warning("removed the temp file %s left by an interrupted run", path)
        dirs[:] = [d for d in dirs if not _is_orphan_temp(root_path / d)]
    runs = work_dir / RUNS_DIR_NAME
    for run in sorted(runs.iterdir()) if runs.is_dir() else ():
        if run.resolve() == current or not run.is_dir() or run.name.endswith(UNFINISHED_SUFFIX):
            continue
        if not all((run / name).is_file() for name in REPORT_NAMES):
            target = run.with_name(run.name + UNFINISHED_SUFFIX)
            run.rename(target)
            record.unfinished_runs.append(str(target))
            _LOG.warning("run %s has no report (killed or crashed); renamed %s", run, target.name)


def retire_outputs(work_dir: pathlib.Path, names: list[str], record: Housekeeping) -> None:
    """Moves aside what an earlier run left in the output folders ``names`` before this run writes them.

    Args:
        work_dir (pathlib.Path): The work dir.
        names (list[str]): Output folder names, e.g. ["onnx", "tensorrt"].
        record (Housekeeping): Receives what was moved or deleted.
    """
    present = [work_dir / n for n in names if (work_dir / n).exists() or (work_dir / n).is_symlink()]
    manifest = work_dir / MANIFEST_NAME
    if manifest.is_file():
        previous = work_dir / PREVIOUS_DIR_NAME
        if previous.exists():
            shutil.rmtree(previous)
        previous.mkdir()
        moved = {}
        for path in present:
            path.rename(previous / path.name)
            moved[str(path)] = str(previous / path.name)
            moved[str(path.resolve())] = str((previous / path.name).resolve())
            record.retired.append(str(previous / path.name))
        _move_manifest(manifest, previous / MANIFEST_NAME, moved)
        _LOG.info("moved the last passing run's outputs %s and manifest to %s", [p.name for p in present], previous)
        return
    for path in present:
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        record.deleted.append(str(path))
        _LOG.info("deleted %s left by a run that did not pass (no manifest vouched for it)", path)


def _move_manifest(source: pathlib.Path, target: pathlib.Path, moved: dict[str, str]) -> None:
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        source.rename(target)
        return

    def rewrite(value: object) -> object:
        if isinstance(value, dict):
            return {k: rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        if isinstance(value, str):
            for old, new in moved.items():
                if value == old or value.startswith(old + os.sep):
                    return new + value[len(old) :]
        return value

    atomic_write_json(target, rewrite(data))
    source.unlink()


def changed_files(artifacts: list[dict]) -> list[str]:
    """Hashes every file of every artifact again.

    Args:
        artifacts (list[dict]): Artifact JSON dicts (``files`` with ``path``/``sha256``/``size``).

    Returns:
        list[str]: One line per file that is missing or whose bytes changed since it was recorded.
    """
    problems = []
    for artifact in artifacts:
        for record in artifact["files"]:
            path = record["path"]
            try:
                digest = sha256_file(path)
            except OSError as err:
                problems.append(f"{path} ({err.strerror or type(err).__name__})")
                continue
            if digest != record["sha256"]:
                problems.append(f"{path} (sha256 {record['sha256'][:12]}… when verified, {digest[:12]}… now)")
    return problems
