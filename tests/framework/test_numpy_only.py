"""`import awml_deploy` (every module) and `awml-deploy --help` work with only NumPy importable."""

import json
import os
import pathlib
import subprocess
import sys

PYTHON_DIR = str(pathlib.Path(__file__).resolve().parents[2] / "python")
BLOCKED = (
    "torch",
    "onnx",
    "onnxruntime",
    "onnxscript",
    "onnxsim",
    "onnxslim",
    "tensorrt",
    "mmengine",
    "mmcv",
    "mmdet",
    "mmdet3d",
    "yaml",
    "tqdm",
    "rich",
    "pycuda",
    "cupy",
    "perception_eval",
)

PREAMBLE = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"blocked for the numpy-only test: {name}")
        return None
sys.meta_path.insert(0, Blocker())
"""

IMPORT_ALL = (
    PREAMBLE
    + """
import json, pkgutil, importlib, traceback
import awml_deploy
names, failures = ["awml_deploy"], {}
def record(name):
    failures[name] = traceback.format_exc().strip().splitlines()[-1]
for info in pkgutil.walk_packages(awml_deploy.__path__, "awml_deploy.", onerror=record):
    if info.name.rsplit(".", 1)[-1] == "__main__":
        continue
    try:
        importlib.import_module(info.name)
        names.append(info.name)
    except Exception:
        record(info.name)
leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
print(json.dumps({"modules": names, "failures": failures, "leaked": leaked}))
"""
)

RUN_CLI = (
    PREAMBLE
    + """
import runpy
sys.argv = ["awml-deploy"] + sys.argv[2:]
runpy.run_module("awml_deploy", run_name="__main__")
"""
)


def _run(code, *args, projects=""):
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR, AWML_DEPLOY_PROJECTS=projects)
    return subprocess.run(
        [sys.executable, "-c", code, ",".join(BLOCKED), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_blocker_really_blocks():
    result = _run(PREAMBLE + "import numpy\nimport torch\n")
    assert result.returncode != 0 and "blocked for the numpy-only test: torch" in result.stderr


def test_every_module_imports_with_numpy_only():
    result = _run(IMPORT_ALL)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failures"] == {}, "modules import a heavy package at module level (STYLE.md rule 4)"
    assert report["leaked"] == []
    for name in (
        "awml_deploy.config.loader",
        "awml_deploy.exporters.onnx",
        "awml_deploy.pipelines.onnxruntime_backend",
        "awml_deploy.runtime.session",
        "awml_deploy.cli.main",
        "awml_deploy.report.markdown",
        "awml_deploy.evaluation.metrics_interfaces",
        "awml_deploy.verification.comparator",
    ):
        assert name in report["modules"]
    assert len(report["modules"]) >= 40


def test_cli_help_and_list_with_numpy_only():
    result = _run(RUN_CLI, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: awml-deploy" in result.stdout and "Exit codes" in result.stdout
    listing = _run(RUN_CLI, "list", projects="centerpoint=projects.centerpoint.runner")
    assert listing.returncode == 0, listing.stderr
    assert "centerpoint" in listing.stdout and "projects.centerpoint.runner" in listing.stdout
    unknown = _run(RUN_CLI, "nope")
    assert unknown.returncode == 2 and "unknown project 'nope'" in unknown.stderr and "Traceback" not in unknown.stderr


def test_config_error_with_numpy_only(tmp_path):
    (tmp_path / "np_project.py").write_text(
        "from awml_deploy.runtime import ProjectSpec\nPROJECT = ProjectSpec('np', lambda config: None)\n"
    )
    config = tmp_path / "c.json"
    config.write_text(
        json.dumps({"components": {"m": {"io": {"inputs": ["x"], "outputs": ["y"]}}}, "export": {"mode": 3}})
    )
    code = RUN_CLI.replace(
        "import runpy",
        f"import runpy\nsys.path.insert(0, {str(tmp_path)!r})\n"
        "import awml_deploy.runtime.projects as p\np.register_project('np', 'np_project')",
    )
    result = _run(code, "np", str(config))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "awml-deploy: error: export.mode | unknown value. Note: expected one of onnx|trt|both|none, got 3"
    )
