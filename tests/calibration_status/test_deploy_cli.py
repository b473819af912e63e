"""The project through the framework CLI: a short default deploy, and bad inputs as one line with exit code 2."""

import json

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
