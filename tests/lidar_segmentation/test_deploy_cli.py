"""The project through the framework CLI: a short default deploy, and bad inputs as one line with exit code 2."""

import json
import re

import numpy as np
import pytest
import torch

from awml_deploy.cli.main import main
from awml_deploy.core.errors import DeployError
from awml_deploy.runtime import register_project
from projects.lidar_segmentation.dataset import LABELS
from projects.lidar_segmentation.pipelines import check_points
from projects.lidar_segmentation.runner import DEFAULT_EVAL_SET, PROJECT

# The bundle registers itself as its deploy binary does (tools/bazel/defs.bzl awml_project_deploy).
register_project(PROJECT.name, "projects.lidar_segmentation.runner")

SHORT = ["project.eval_limit=3", "verification.num_verify_samples=2", "evaluation.warmup=0"]


def _report(work_dir):
    run_dir = sorted((work_dir / "runs").iterdir())[-1]
    return json.loads((run_dir / "report.json").read_text())


def test_default_config_deploys_with_all_gates(tmp_path, capsys):
    torch.set_num_threads(1)
    work = tmp_path / "work"
    code = main([PROJECT.name, "--mode", "onnx", "--work-dir", str(work), "--cfg-options", *SHORT])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "awml-deploy lidar_segmentation [onnx] PASSED (exit 0)" in out
    report = _report(work)
    gates = {g["name"]: g for g in report["gates"]}
    verification = gates["verification.pytorch_cpu_vs_onnx_cpu"]
    assert verification["status"] == "passed"
    match = re.match(r"label agreement (\d\.\d+) \((\d+)/(\d+) points, gate >= 0.999\)", verification["reason"])
    assert match and float(match[1]) >= 0.999 and int(match[3]) > 20000, verification["reason"]
    scenario = report["verification"]["pytorch_cpu_vs_onnx_cpu"]
    assert set(scenario["summary"]) == {"logits"} and scenario["summary"]["logits"]["max_abs"] < 1e-3
    for backend in ("pytorch", "onnx"):
        entry = report["evaluation"][backend]
        result = entry["metrics"]
        assert entry["num_samples"] == 3 and entry["primary_metric"] == {"name": "miou", "value": result["miou"]}
        assert result["miou"] >= 0.75 and set(result["per_label"]) == set(LABELS)  # 0.819 on these 3 frames
        assert result["confusion_matrix"]["labels"] == list(LABELS)
        assert sum(map(sum, result["confusion_matrix"]["counts"])) == result["num_points"] > 40000
        assert entry["latency"]["preprocess_ms"]["count"] == 3
    assert report["evaluation"]["tensorrt"]["status"] == "skipped"
    assert gates["evaluation.delta.onnx"]["status"] == "passed"


def _one_line_exit_2(argv, capsys):
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert err and err[-1].startswith("awml-deploy: error: ") and "Traceback" not in "\n".join(err)
    return err[-1]


def test_tampered_eval_scenes_are_one_line_exit_2(tmp_path, capsys):
    data = json.loads(DEFAULT_EVAL_SET.read_text())
    data["frames"][0]["boxes"][0][0] += 1.0  # move an object: the rendered cloud no longer matches its sha256
    bad = tmp_path / "eval_scenes.json"
    bad.write_text(json.dumps(data))
    argv = [PROJECT.name, "--mode", "onnx", "--work-dir", str(tmp_path / "w")]
    line = _one_line_exit_2(argv + ["--cfg-options", f"runtime_io.info_file={bad}", *SHORT], capsys)
    assert "frame 0 | re-rendered cloud does not match its sha256" in line


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (np.zeros((10, 3), np.float32), "points | bad point cloud. Note: expected a float array (N, >=4)"),
        (np.zeros((10, 4), np.int32), "points | bad point cloud"),
        (np.full((2, 4), np.nan, np.float32), "points | non-finite values"),
    ],
)
def test_wrong_point_width_or_values_is_one_line(points, message):
    with pytest.raises(DeployError) as info:
        check_points(points)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)
    assert info.value.exit_code == 2


def test_extra_point_columns_are_dropped():
    points = np.arange(30, dtype=np.float64).reshape(6, 5)
    out = check_points(points)
    assert out.dtype == np.float32 and out.shape == (6, 4) and out.flags.c_contiguous
    np.testing.assert_array_equal(out, points[:, :4])
