"""Shared fixtures: one CLI deployment of the embedded default (on a few images) reused by the contract tests."""

import json
import pathlib

import pytest

from awml_deploy.cli.main import main
from awml_deploy.runtime import register_project

REPO = pathlib.Path(__file__).absolute().parents[2]
ASSETS = REPO / "projects" / "yolox" / "assets"
CHECKPOINT = ASSETS / "yolox_pico_shapes.pth"
NUM_IMAGES = 30

# The bundle registers itself as its deploy binary does (tools/bazel/defs.bzl awml_project_deploy).
register_project("yolox", "projects.yolox.runner")


@pytest.fixture(scope="session")
def model_cfg():
    from projects.yolox.model import load_model_config

    return load_model_config()


@pytest.fixture(scope="session")
def samples():
    from projects.yolox.data import YoloxSamples

    return YoloxSamples(limit=NUM_IMAGES)


@pytest.fixture(scope="session")
def deployed(tmp_path_factory):
    """Runs `awml-deploy yolox` (default config, onnx mode, NMS variants, 30 images) once; returns (exit code, work dir, report)."""
    work = tmp_path_factory.mktemp("yolox_work")
    code = main(
        ["yolox", "--mode", "onnx", "--work-dir", str(work), "--cfg-options", f"project.num_images={NUM_IMAGES}"]
    )
    run_dir = sorted((work / "runs").iterdir())[-1]
    return code, work, json.loads((run_dir / "report.json").read_text())


@pytest.fixture(scope="session")
def onnx_path(deployed):
    return deployed[1] / "onnx" / "yolox.onnx"
