"""Generated bad deploy configs for the four projects, run in-process through the CLI (issue 17).

Each case starts from a project's default config made small (mode onnx, one sample, no warmup), applies one
mutation and writes it as .py, .yaml or .json in rotation; some cases are raw files (deep nesting, alias bombs,
garbage) or ``--cfg-options`` syntax. Framework-section mutations rotate over the projects; ``components``,
``project``, ``checkpoint_path`` and ``runtime_io`` mutations run on all four.

Every case is bad input: the run must end with exit 2 and exactly one ``awml-deploy: error:`` line, no traceback,
within the per-case time limit. Usage::

    python tests/framework/bad_config_gen.py [--limit-s 20] [--only centerpoint] [--verbose]
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import json
import math
import pathlib
import signal
import sys
import time
from collections.abc import Iterator
from typing import Any

PROJECTS = ("centerpoint", "yolox", "calibration_status", "lidar_segmentation")
FORMATS = (".py", ".yaml", ".json")
NAN, INF = float("nan"), float("inf")
REPO = pathlib.Path(__file__).resolve().parents[2]
ERROR_PREFIX = "awml-deploy: error:"

# (key path, value, what is wrong); applied to one project each, in rotation.
FRAMEWORK_MUTATIONS: list[tuple[str, Any, str]] = [
    ("devices", "cpu", "wrong type"),
    ("devices.cpu", "cuda:0", "bad enum"),
    ("devices.cuda", "cpu", "bad enum"),
    ("devices.bad-name", "cpu", "bad name"),
    ("devices.gpu1", 5, "wrong type"),
    ("devices.gpu1", "tpu:0", "bad enum"),
    ("export", [], "wrong type"),
    ("export.mode", "fast", "bad enum"),
    ("export.mode", 5, "wrong type"),
    ("export.mode", None, "wrong type"),
    ("export.work_dir", 5, "wrong type"),
    ("export.work_dir", "", "empty"),
    ("export.work_dir", "README.md", "a file"),
    ("export.work_dir", "/proc/awml_bad_config_wd", "under /proc"),
    ("export.onnx_path", 7, "wrong type"),
    ("export.onnx_path", "/nonexistent/model.onnx", "nonexistent path"),
    ("export.typo", 1, "unknown key"),
    ("runtime_io.sample_idx", -1, "negative"),
    ("runtime_io.sample_idx", "0", "wrong type"),
    ("runtime_io.sample_idx", 1.5, "wrong type"),
    ("runtime_io.sample_idx", NAN, "NaN"),
    ("runtime_io.extra", 1, "unknown key"),
    ("onnx_config.opset_version", 5, "out of range"),
    ("onnx_config.opset_version", "17", "wrong type"),
    ("onnx_config.opset_version", INF, "Inf"),
    ("onnx_config.dynamo", "false", "string bool"),
    ("onnx_config.simplify", 1, "int bool"),
    ("onnx_config.do_constant_folding", "no", "string bool"),
    ("onnx_config.export_params", None, "wrong type"),
    ("onnx_config.unknown", True, "unknown key"),
    ("tensorrt_config.precision_policy", "int4", "bad enum"),
    ("tensorrt_config.max_workspace_size", -1, "negative"),
    ("tensorrt_config.max_workspace_size", 0, "zero"),
    ("tensorrt_config.max_workspace_size", "1GB", "wrong type"),
    ("tensorrt_config.builder_optimization_level", 9, "out of range"),
    ("tensorrt_config.timing_cache", 5, "wrong type"),
    ("tensorrt_config", "fp16", "wrong type"),
    ("verification.enabled", "yes", "string bool"),
    ("verification.enabled", 1, "int bool"),
    ("verification.num_verify_samples", -1, "negative"),
    ("verification.num_verify_samples", "3", "wrong type"),
    ("verification.num_verify_samples", NAN, "NaN"),
    ("verification.tolerances.fp32.atol", NAN, "NaN"),
    ("verification.tolerances.fp32.atol", -1.0, "negative"),
    ("verification.tolerances.fp32.rtol", INF, "Inf"),
    ("verification.tolerances.fp32.atol", "0.1", "wrong type"),
    ("verification.tolerances.fp8", {"atol": 1.0, "rtol": 1.0}, "unknown key"),
    ("verification.tolerances.fp16", 0.1, "wrong type"),
    ("verification.per_output.x", {"atol": "big"}, "wrong type"),
    ("verification.per_output.x", {"atol": -1.0, "rtol": 0.0}, "negative"),
    ("verification.scenarios", {"turbo": []}, "bad enum"),
    ("verification.scenarios.onnx", [{"ref_backend": "caffe", "test_backend": "onnx"}], "bad enum"),
    ("verification.scenarios.onnx", "all", "wrong type"),
    ("verification.typo", 1, "unknown key"),
    ("evaluation.enabled", "true", "string bool"),
    ("evaluation.num_samples", -5, "negative"),
    ("evaluation.num_samples", 0, "zero"),
    ("evaluation.num_samples", "all", "wrong type"),
    ("evaluation.warmup", -1, "negative"),
    ("evaluation.warmup", 1.5, "wrong type"),
    ("evaluation.backends", {"caffe": {"device": "cpu"}}, "bad enum"),
    ("evaluation.backends.onnx.device", "gpu7", "bad enum"),
    ("evaluation.backends.onnx.device", "cuda:-1", "bad enum"),
    ("evaluation.backends.onnx.artifact", "/nonexistent/dir", "nonexistent path"),
    ("evaluation.backends.onnx.unknown", 1, "unknown key"),
    ("evaluation.max_primary_metric_delta", NAN, "NaN"),
    ("evaluation.max_primary_metric_delta", -1.0, "negative"),
    ("evaluation.max_primary_metric_delta", "0.1", "wrong type"),
    ("logging.level", "LOUD", "bad enum"),
    ("logging.level", 10, "wrong type"),
    ("logging.file", "a/b.log", "path, not a name"),
    ("logging.file", "", "empty"),
    ("logging.file", "deploy\x00.log", "NUL"),
    ("logging.file", "d" * 300, "too long"),
    ("logging.file", "report.json", "clobbers the report"),
    ("logging.file", "report.md", "clobbers the report"),
    ("logging.progress", "yes", "string bool"),
    ("logging.colour", True, "unknown key"),
    ("anchors", {"a": 1}, "unknown top-level key"),
    ("verfication", {}, "unknown top-level key (typo)"),
]

# Mutations every project gets ("{c}" is the project's first component).
COMMON_MUTATIONS: list[tuple[str, Any, str]] = [
    ("checkpoint_path", 5, "wrong type"),
    ("checkpoint_path", "/nonexistent/model.pth", "nonexistent path"),
    ("checkpoint_path", "/", "a directory"),
    ("runtime_io.info_file", 5, "wrong type"),
    ("runtime_io.info_file", "/nonexistent/infos.pkl", "nonexistent path"),
    ("components", "model", "wrong type"),
    ("components", {}, "empty"),
    ("components.{c}.onnx_file", 5, "wrong type"),
    ("components.{c}.onnx_file", "", "empty"),
    ("components.{c}.onnx_file", "../escape.onnx", "outside the work dir"),
    ("components.{c}.io", "x", "wrong type"),
    ("components.{c}.io.inputs", 5, "wrong type"),
    ("components.{c}.io.outputs", [], "empty"),
    ("components.{c}.extra", 1, "unknown key"),
    ("project", "x", "wrong type"),
    ("project.no_such_option", 1, "unknown key"),
]

PROJECT_MUTATIONS: dict[str, list[tuple[str, Any, str]]] = {
    "centerpoint": [
        ("project.trust_checkpoint", "no", "string bool"),
        ("project.trust_checkpoint", "false", "string bool"),
        ("project.single_graph", "no", "string bool"),
        ("project.bev_picture", "false", "string bool"),
        ("project.rot_y_axis_reference", 2, "int bool"),
        ("project.num_frames", 0, "zero"),
        ("project.num_frames", "5", "wrong type"),
        ("project.num_frames", 1.5, "wrong type"),
        ("project.num_frames", -1, "negative"),
        ("project.metrics", "x", "wrong type"),
        ("project.metrics", 5, "wrong type"),
        ("project.metrics.thresholds.center_distance_bev", "abc", "wrong type"),
        ("project.metrics.thresholds.volume_iou", [0.5], "unknown key"),
        ("project.metrics.range_filter", "everything", "wrong type"),
        ("project.metrics.distance_buckets", [[30.0, 0.0]], "bad range"),
        ("project.scene_set", "/nonexistent/scenes.json", "nonexistent path"),
        ("project.model_config", "/nonexistent/model.py", "nonexistent path"),
        ("project.cpu_threads", 0, "zero"),
        ("project.cpu_threads", "2", "wrong type"),
        ("project.box_tolerances.center", -1.0, "negative"),
        ("project.box_tolerances.center", NAN, "NaN"),
    ],
    "yolox": [
        ("project.num_images", NAN, "NaN"),
        ("project.num_images", INF, "Inf"),
        ("project.num_images", 0, "zero"),
        ("project.nms", 5, "wrong type"),
        ("project.nms", "onnx", "wrong type"),
        ("project.nms.append", 5, "wrong type"),
        ("project.nms.append", ["caffe"], "bad enum"),
        ("project.nms.max_output_boxes", "many", "wrong type"),
        ("project.nms.max_output_boxes", -5, "negative"),
        ("project.nms.onnx_in_graph", "false", "string bool"),
        ("project.nms.typo", 1, "unknown key"),
        ("project.iou_thresholds", "abc", "bad value"),
        ("project.min_primary_metric", NAN, "NaN"),
        ("project.min_primary_metric", 2.0, "out of range"),
        ("project.cpu_threads", -1, "negative"),
        ("project.trusted_checkpoint", "false", "string bool"),
        ("project.model_config", "/nonexistent/model.py", "nonexistent path"),
        ("project.data_dir", "/nonexistent/data", "nonexistent path"),
        ("project.max_detections", -1, "negative"),
    ],
    "calibration_status": [
        ("project.preprocess.mean", "abc", "wrong type"),
        ("project.preprocess.mean", 5, "wrong type"),
        ("project.preprocess.mean", [1.0, 2.0], "wrong length"),
        ("project.preprocess.height", "96", "wrong type"),
        ("project.preprocess.height", -1, "negative"),
        ("project.preprocess.std", [0.0, 0.0, 0.0], "zero"),
        ("project.preprocess.max_depth", NAN, "NaN"),
        ("project.model.depth", 7, "bad enum"),
        ("project.model.num_classes", "2", "wrong type"),
        ("project.min_class_agreement", 2.0, "out of range"),
        ("project.min_class_agreement", NAN, "NaN"),
        ("project.preprocess.typo", 1, "unknown key"),
    ],
    "lidar_segmentation": [
        ("project.model.sensor_height", NAN, "NaN"),
        ("project.model.num_classes", 0, "zero"),
        ("project.model.rows", "32", "wrong type"),
        ("project.model.width", -1, "negative"),
        ("project.min_label_agreement", 1.5, "out of range"),
        ("project.min_label_agreement", "high", "wrong type"),
        ("project.model.typo", 1, "unknown key"),
    ],
}

# --cfg-options strings that are bad on their own (the config file is the project's valid base).
CLI_OPTIONS: list[tuple[str, str]] = [
    ("no_equals", "export.mode"),
    ("empty_key", "=onnx"),
    ("empty_part", "export..mode=onnx"),
    ("descend_into_scalar", "export.mode.x=1"),
    ("unclosed_list", "project.x=[1, 2"),
    ("unclosed_dict", "evaluation.backends={'onnx': "),
    ("deep_literal", "project.nms=" + "[" * 5000 + "]" * 5000),
    ("bad_enum", "export.mode=fastest"),
    ("string_bool", "verification.enabled=maybe"),
    ("nan_tolerance", "verification.tolerances.fp32.atol=nan"),
    ("unknown_top", "nonsense.key=1"),
    ("huge_value", "project.x=" + "1" * 200_000),
]

# Raw config files: (name, suffix, text).
RAW_FILES: list[tuple[str, str, str | bytes]] = [
    ("empty_py", ".py", ""),
    ("empty_yaml", ".yaml", ""),
    ("empty_json", ".json", ""),
    ("garbage_json", ".json", b"\x89PNG\r\n\x1a\n\x00\x00garbage"),
    ("garbage_yaml", ".yaml", b"\xff\xfe\x00\x00\x01"),
    ("syntax_py", ".py", "export = dict(mode='onnx'\n"),
    ("raises_py", ".py", "raise RuntimeError('boom')\n"),
    ("syntax_yaml", ".yaml", "export: {mode: onnx\n"),
    ("tabs_yaml", ".yaml", "export:\n\tmode: onnx\n"),
    ("syntax_json", ".json", '{"export": {"mode": "onnx",}}'),
    ("list_json", ".json", "[1, 2, 3]"),
    ("scalar_yaml", ".yaml", "just a string\n"),
    ("python_tag_yaml", ".yaml", "export: !!python/object/apply:os.system ['true']\n"),
    ("nan_json", ".json", '{"verification": {"num_verify_samples": NaN}}'),
    ("big_number_json", ".json", '{"verification": {"tolerances": {"fp32": {"atol": 1e999, "rtol": 0.1}}}}'),
    ("deep_json", ".json", '{"project": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    ("deep_yaml", ".yaml", "project: " + "[" * 20_000 + "]" * 20_000 + "\n"),
    ("deep_mapping_yaml", ".yaml", "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n"),
    ("recursive_yaml", ".yaml", "project: &p\n  self: *p\n"),
    ("wrong_suffix", ".txt", "export = dict(mode='onnx')\n"),
]


def _alias_bomb(levels: int, key: str) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    body = "anchors:\n" + "\n".join("  " + line for line in lines) + "\n"
    return body if key == "anchors" else body.replace("anchors:", "project:\n  bomb:").replace("\n  a", "\n    a")


RAW_FILES += [
    ("alias_bomb_1e9_unknown_key", ".yaml", _alias_bomb(9, "anchors")),
    ("alias_bomb_1e7_unknown_key", ".yaml", _alias_bomb(7, "anchors")),
    ("alias_bomb_1e9_in_project", ".yaml", _alias_bomb(9, "project")),
]


@dataclasses.dataclass(frozen=True)
class Case:
    """One generated bad input.

    Attributes:
        case_id: Unique id ("017-yolox-yaml-project.nms").
        project: Project name.
        form: ".py", ".yaml", ".json", ".txt" or "cli".
        what: The mutation in words.
        config: The config mapping to write (None for raw files and CLI-only cases).
        raw: Raw file content (raw-file cases).
        options: Extra ``--cfg-options`` (CLI cases).
        in_project_section: The mutation is in a bundle's ``project`` section.
    """

    case_id: str
    project: str
    form: str
    what: str
    config: dict | None = None
    raw: str | bytes | None = None
    options: tuple[str, ...] = ()
    in_project_section: bool = False


def small_base(project: str) -> dict:
    """The project's default config, small: mode onnx, one verification sample, one evaluation sample."""
    from awml_deploy.config.loader import load_raw
    from awml_deploy.runtime.projects import load_project

    raw = copy.deepcopy(load_raw(load_project(project).default_config))
    raw.setdefault("export", {})["mode"] = "onnx"
    raw.setdefault("verification", {})["num_verify_samples"] = 1
    evaluation = raw.setdefault("evaluation", {})
    evaluation.update(num_samples=1, warmup=0)
    settings = raw.setdefault("project", {})
    small = {"centerpoint": ("num_frames", 1), "yolox": ("num_images", 2)}.get(project)
    if small is not None:
        settings[small[0]] = small[1]
    return raw


def _set(config: dict, key_path: str, value: Any) -> None:
    node = config
    parts = key_path.split(".")
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


def generate() -> list[Case]:
    """All cases, deterministic order."""
    bases = {p: small_base(p) for p in PROJECTS}
    cases: list[Case] = []

    def add(project: str, what: str, key: str, value: Any) -> None:
        config = copy.deepcopy(bases[project])
        component = next(iter(config.get("components", {})), "model")
        key = key.replace("{c}", component)
        _set(config, key, value)
        if what == "nonexistent path" and key in ("export.onnx_path", "evaluation.backends.onnx.artifact"):
            _set(config, "export.mode", "none")  # a run that exports ONNX replaces these (a notice, not an error)
        form = FORMATS[len(cases) % len(FORMATS)]
        case_id = f"{len(cases):03d}-{project}-{form[1:]}-{key[:40]}"
        cases.append(
            Case(case_id, project, form, f"{key}: {what}", config, in_project_section=key.startswith("project"))
        )

    for i, (key, value, what) in enumerate(FRAMEWORK_MUTATIONS):
        add(PROJECTS[i % len(PROJECTS)], what, key, value)
    for project in PROJECTS:
        for key, value, what in COMMON_MUTATIONS + PROJECT_MUTATIONS[project]:
            add(project, what, key, value)
    for i, (name, option) in enumerate(CLI_OPTIONS):
        project = PROJECTS[i % len(PROJECTS)]
        case_id = f"{len(cases):03d}-{project}-cli-{name}"
        cases.append(Case(case_id, project, "cli", name, copy.deepcopy(bases[project]), options=(option,)))
    for i, (name, suffix, text) in enumerate(RAW_FILES):
        project = PROJECTS[i % len(PROJECTS)]
        cases.append(Case(f"{len(cases):03d}-{project}-raw-{name}", project, suffix, name, raw=text))
    return cases


def _py_literal(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py_literal(k)}: {_py_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_py_literal(v) for v in value) + "]"
    return repr(value)


def render(config: dict, form: str) -> str:
    """The config as a .py, .yaml or .json file."""
    if form == ".json":
        return json.dumps(config, allow_nan=True)
    if form == ".yaml":
        import yaml

        return yaml.safe_dump(config, allow_unicode=False)
    return "".join(f"{key} = {_py_literal(value)}\n" for key, value in config.items())


def write_case(case: Case, folder: pathlib.Path) -> pathlib.Path | None:
    """Writes the case's config file (CLI cases: the project's small base config as JSON)."""
    suffix = ".json" if case.form == "cli" else case.form
    path = folder / f"{case.case_id.replace('/', '_')}{suffix}"
    content = case.raw if case.raw is not None else render(case.config, suffix)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


class CaseTimeout(BaseException):
    """Raised by the alarm when a case runs past its limit (BaseException: no ``except Exception`` swallows it)."""


@dataclasses.dataclass
class Outcome:
    """What one case did.

    Attributes:
        case: The case.
        exit_code: The CLI's return value (None on a traceback or timeout).
        seconds: Wall time.
        error_lines: stderr lines starting with ``awml-deploy: error:``.
        traceback: The escaped exception, if any.
        late: The run had started (a run directory was created) before the error.
    """

    case: Case
    exit_code: int | None
    seconds: float
    error_lines: list[str]
    traceback: str | None = None
    late: bool = False

    @property
    def verdict(self) -> str:
        """ok | traceback | hang | exit0 | exit1 (a gate failed: bad input not caught as such) | not-one-line."""
        if self.traceback == "timeout":
            return "hang"
        if self.traceback is not None or any("internal error" in line for line in self.error_lines):
            return "traceback"
        if self.exit_code == 0:
            return "exit0"
        if self.exit_code != 2:
            return f"exit{self.exit_code}"
        return "ok" if len(self.error_lines) == 1 else "not-one-line"


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum, frame):
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_case(case: Case, folder: pathlib.Path, limit_s: float) -> Outcome:
    """Runs one case in-process through ``awml_deploy.cli.main.main``."""
    import traceback

    from awml_deploy.cli.main import main
    from awml_deploy.core.logging import close_logging

    work_dir = folder / "work" / case.case_id
    path = write_case(case, folder)
    argv = [case.project, str(path)]
    argv += ["--work-dir", str(work_dir)] if not _sets_work_dir(case) else []
    if case.options:
        argv += ["--cfg-options", *case.options]
    stderr, stdout = io.StringIO(), io.StringIO()
    started = time.monotonic()
    code, escaped = None, None
    try:
        with _alarm(limit_s), contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            code = main(argv)
    except CaseTimeout:
        escaped = "timeout"
    except BaseException:  # noqa: BLE001 - the point: anything escaping main is a finding
        escaped = traceback.format_exc(limit=-3)
    finally:
        close_logging()
    seconds = time.monotonic() - started
    errors = [line for line in stderr.getvalue().splitlines() if line.startswith(ERROR_PREFIX)]
    if "Traceback (most recent call last)" in stderr.getvalue() and escaped is None:
        escaped = stderr.getvalue()[-1500:]
    late = (work_dir / "runs").is_dir()
    return Outcome(case, code, seconds, errors, escaped, late)


def _sets_work_dir(case: Case) -> bool:
    return case.form != "cli" and case.config is not None and "export.work_dir" in case.what


def run_all(cases: list[Case], folder: pathlib.Path, limit_s: float, log: Any = None) -> list[Outcome]:
    """Runs ``cases`` in order, printing one line per case to ``log`` when given."""
    folder.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for case in cases:
        outcome = run_case(case, folder, limit_s)
        outcomes.append(outcome)
        if log is not None:
            first = outcome.error_lines[0][len(ERROR_PREFIX) :].strip() if outcome.error_lines else ""
            print(f"{outcome.verdict:12s} {outcome.seconds:6.2f}s {case.case_id} | {first[:150]}", file=log)
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, int]:
    """Counts per verdict plus totals."""
    counts: dict[str, int] = {"cases": len(outcomes)}
    for outcome in outcomes:
        counts[outcome.verdict] = counts.get(outcome.verdict, 0) + 1
    counts["late"] = sum(o.late and o.verdict == "ok" for o in outcomes)
    for form in (*FORMATS, "cli"):
        counts[f"form{form}"] = sum(o.case.form == form for o in outcomes)
    for project in PROJECTS:
        counts[f"project:{project}"] = sum(o.case.project == project for o in outcomes)
    return counts


def main(argv: list[str] | None = None) -> int:
    """``python bad_config_gen.py [--limit-s N] [--only PROJECT] [--verbose]``: runs every case, prints counts."""
    import argparse
    import os
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-s", type=float, default=20.0)
    parser.add_argument("--only", choices=PROJECTS, default=None)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    os.chdir(REPO)
    cases = [c for c in generate() if args.only in (None, c.project)]
    with tempfile.TemporaryDirectory(prefix="bad_configs_") as tmp:
        outcomes = run_all(cases, pathlib.Path(tmp), args.limit_s, sys.stdout if args.verbose else None)
    print(json.dumps(summary(outcomes)))
    return 0 if all(o.verdict == "ok" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
