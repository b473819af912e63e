"""The project through the framework CLI: a short default deploy, and bad inputs as one line with exit code 2."""

import json

import pytest
import torch

from awml_deploy.cli.main import main
from awml_deploy.runtime import register_project
from projects.calibration_status.runner import DEFAULT_EVAL_SET, PROJECT

# The bundle registers itself as its deploy binary does (tools/bazel/defs.bzl awml_project_deploy).
register_project(PROJECT.name, "projects.calibration_status.runner")

SHORT = ["project.eval_limit=16", "verification.num_verify_samples=4", "evaluation.warmup=1"]


def _report(work_dir):
    run_dir = sorted((work_dir / "runs").iterdir())[-1]
    return json.loads((run_dir / "report.json").read_text())


def test_default_config_deploys_with_all_gates(tmp_path, capsys):
    torch.set_num_threads(2)
    work = tmp_path / "work"
    code = main([PROJECT.name, "--mode", "onnx", "--work-dir", str(work), "--cfg-options", *SHORT])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "awml-deploy calibration_status [onnx] PASSED (exit 0)" in out
    report = _report(work)
    gates = {g["name"]: g for g in report["gates"]}
    verification = gates["verification.pytorch_cpu_vs_onnx_cpu"]
    assert verification["status"] == "passed" and verification["reason"].startswith(
        "label agreement 1.000000 (4/4 samples"
    )
    scenario = report["verification"]["pytorch_cpu_vs_onnx_cpu"]
    assert set(scenario["summary"]) == {"logits"} and scenario["summary"]["logits"]["max_abs"] < 1e-4
    for backend in ("pytorch", "onnx"):
        entry = report["evaluation"][backend]
        metrics = entry["metrics"]
        assert entry["num_samples"] == 16 and metrics["top1_accuracy"] >= 0.9
        assert entry["primary_metric"] == {"name": "accuracy", "value": metrics["total"]["accuracy"]}
        assert metrics["confusion_matrix"]["labels"] == ["calibrated", "miscalibrated"]
        assert sum(map(sum, metrics["confusion_matrix"]["counts"])) == 16
        assert set(metrics["per_label"]) == {"calibrated", "miscalibrated"}
        assert {"precision", "recall", "f1"} <= set(metrics["per_label"]["miscalibrated"])
        assert entry["latency"]["preprocess_ms"]["count"] == 16
    assert report["evaluation"]["tensorrt"]["status"] == "skipped"
    assert gates["evaluation.delta.onnx"]["status"] == "passed"


def _one_line_exit_2(argv, capsys):
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert err and err[-1].startswith("awml-deploy: error: ") and "Traceback" not in "\n".join(err)
    return err[-1]


def test_wrong_channel_count_in_config_is_one_line_exit_2(tmp_path, capsys):
    argv = [PROJECT.name, "--work-dir", str(tmp_path / "w"), "--cfg-options", "project.model.in_channels=4"]
    line = _one_line_exit_2(argv, capsys)
    assert "project.model.in_channels | does not match the preprocessing" in line


def test_bad_intrinsics_in_eval_set_is_one_line_exit_2(tmp_path, capsys):
    data = json.loads(DEFAULT_EVAL_SET.read_text())
    data["cameras"][0]["cx"] = 500.0
    bad = tmp_path / "bad_eval_set.json"
    bad.write_text(json.dumps(data))
    argv = [PROJECT.name, "--mode", "onnx", "--work-dir", str(tmp_path / "w")]
    line = _one_line_exit_2(argv + ["--cfg-options", f"runtime_io.info_file={bad}", *SHORT], capsys)
    assert "camera front: intrinsics | principal point outside the image" in line


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("project.min_class_agreement=1.5", "project.min_class_agreement | out of range"),
        ("project.preprocess.width=8", "project.preprocess.width | out of range"),
        ("project.colour=1", "project.colour | unknown key"),
        ("project.model.depth=50", "project.model.depth | unsupported depth"),
        ("project.preprocess.min_depth=70.0", "project.preprocess.min_depth | bad depth range"),
    ],
)
def test_bad_project_settings_are_one_line_exit_2(tmp_path, capsys, option, message):
    line = _one_line_exit_2([PROJECT.name, "--work-dir", str(tmp_path / "w"), "--cfg-options", option], capsys)
    assert message in line
    assert not (tmp_path / "w").exists()  # rejected in the runner's constructor: no run directory, no manifest


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("project.preprocess.mean=abc", "project.preprocess.mean | must be a list, not str"),
        ("project.preprocess.mean=5", "project.preprocess.mean | must be a list, not int"),
        ("project.preprocess.mean=[1,2]", "project.preprocess.mean | wrong length"),
        ("project.preprocess.mean=['a','b','c']", "project.preprocess.mean | holds a str"),
        ("project.preprocess.std=[1,0,1]", "project.preprocess.std | out of range"),
        ("project.preprocess.height='96'", "project.preprocess.height | must be an integer, not str"),
        ("project.eval_limit=true", "project.eval_limit | must be an integer, not bool"),
        ("project.model=5", "project.model | must be a mapping, not int"),
    ],
)
def test_reliability_finding_5_preprocess_types_are_one_line(tmp_path, capsys, option, message):
    """Finding 5 (cases 218-220): bare float()/tuple()/< on the section gave tracebacks."""
    line = _one_line_exit_2([PROJECT.name, "--work-dir", str(tmp_path / "w"), "--cfg-options", option], capsys)
    assert message in line
    assert not (tmp_path / "w").exists()
