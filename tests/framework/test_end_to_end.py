"""End to end on CPU: a real two-layer CNN through export → verification → evaluation → report, via the CLI."""

import json
import pathlib

import numpy as np
import onnx
import pytest
import tiny_project
from onnx import numpy_helper

from awml_deploy.cli.main import main
from awml_deploy.core.fsio import sha256_file, work_dir_lock
from awml_deploy.exporters import read_metadata
from awml_deploy.runtime import register_project

TRT_SKIP = "tensorrt: skipped — TensorRT not installed"


@pytest.fixture()
def setup(tmp_path):
    register_project("tiny_cnn", "tiny_project")
    checkpoint = tmp_path / "tiny.pth"
    tiny_project.save_checkpoint(str(checkpoint))
    config = tmp_path / "deploy.json"
    config.write_text(json.dumps(tiny_project.config_dict(str(tmp_path / "work"), str(checkpoint))))
    return tmp_path, config


def _latest_report(tmp_path: pathlib.Path) -> tuple[pathlib.Path, dict]:
    run_dir = sorted((tmp_path / "work" / "runs").iterdir())[-1]
    return run_dir, json.loads((run_dir / "report.json").read_text())


def _gates(report):
    return {g["name"]: g for g in report["gates"]}


def test_mode_onnx_full_flow(setup, capsys):
    tmp_path, config = setup
    assert main(["tiny_cnn", str(config), "--mode", "onnx"]) == 0
    out = capsys.readouterr().out
    assert "awml-deploy tiny_cnn [onnx] PASSED (exit 0)" in out
    run_dir, report = _latest_report(tmp_path)
    assert report["passed"] and report["exit_code"] == 0 and report["export_mode"] == "onnx"
    onnx_file = tmp_path / "work" / "onnx" / "tiny_cnn.onnx"
    onnx.checker.check_model(str(onnx_file))
    meta = read_metadata(onnx_file)
    assert meta["component"] == "model" and meta["config_hash"] == report["config_hash"]
    assert meta["producer"] == "awml-deploy" and meta["version"] == report["environment"]["awml_deploy"]
    assert meta["git_sha"] == report["environment"]["git_sha"]
    files = report["artifacts"]["onnx"]["files"]
    assert files[0]["sha256"] == sha256_file(onnx_file) and report["artifacts"]["onnx"]["source"] == "registered"
    assert report["artifacts"]["pytorch"]["sha256"] == sha256_file(tmp_path / "tiny.pth")
    manifest = json.loads((tmp_path / "work" / "manifest.json").read_text())
    assert manifest["artifacts"] == report["artifacts"] and manifest["run_dir"] == str(run_dir)
    assert manifest["environment"]["tools"]["onnx"] == onnx.__version__
    gates = _gates(report)
    assert gates["export.onnx"]["status"] == "passed"
    assert report["export"]["tensorrt"] == {"status": "skipped", "reason": "export.mode is onnx"}
    assert report["environment"]["tensorrt"] == {
        "available": False,
        "reason": "TensorRT not installed",
        "version": None,
    }
    scenario = report["verification"]["pytorch_cpu_vs_onnx_cpu"]
    assert scenario["status"] == "passed" and len(scenario["samples"]) == 3 and scenario["precision"] == "fp32"
    assert set(scenario["summary"]) == {"logits", "features"}
    assert scenario["summary"]["features"]["max_abs"] < 1e-4 and scenario["summary"]["logits"]["cosine"] > 0.9999
    for backend in ("pytorch", "onnx"):
        entry = report["evaluation"][backend]
        assert entry["status"] == "passed" and entry["num_samples"] == 8 and entry["warmup"] == 1
        assert entry["primary_metric"]["name"] == "accuracy" and 0.0 <= entry["primary_metric"]["value"] <= 1.0
        assert set(entry["latency"]) == {"preprocess_ms", "model_ms", "postprocess_ms", "total_ms"}
        assert set(entry["latency"]["total_ms"]) == {"count", "mean", "std", "min", "max", "p50", "p90", "p99"}
        assert entry["metrics"]["total"]["accuracy"] == entry["primary_metric"]["value"]
    assert report["evaluation"]["tensorrt"] == {"status": "skipped", "reason": TRT_SKIP}
    assert report["deltas"]["onnx"]["delta"] == 0.0  # identical predictions
    markdown = (run_dir / "report.md").read_text()
    assert "# awml-deploy report — tiny_cnn: PASSED" in markdown and TRT_SKIP in markdown
    log = (run_dir / "deploy.log").read_text()
    assert TRT_SKIP in log and "pytorch_cpu_vs_onnx_cpu sample 2 features: PASS" in log


def test_mode_both_reports_tensorrt_skipped(setup):
    tmp_path, config = setup
    assert main(["tiny_cnn", str(config), "--mode", "both"]) == 0
    _, report = _latest_report(tmp_path)
    gates = _gates(report)
    assert gates["export.tensorrt"] == {"name": "export.tensorrt", "status": "skipped", "reason": TRT_SKIP}
    assert gates["verification.onnx_cuda0_vs_tensorrt_cuda0"]["status"] == "skipped"
    assert gates["verification.pytorch_cpu_vs_onnx_cpu"]["status"] == "passed"
    assert gates["evaluation.tensorrt"]["reason"] == TRT_SKIP
    assert report["failed_gates"] == [] and report["exit_code"] == 0


def test_perturbed_onnx_fails_verification_with_exit_1(setup, capsys):
    tmp_path, config = setup
    assert main(["tiny_cnn", str(config), "--mode", "onnx", "--cfg-options", "evaluation.enabled=false"]) == 0
    model = onnx.load(str(tmp_path / "work" / "onnx" / "tiny_cnn.onnx"))
    weight = next(init for init in model.graph.initializer if numpy_helper.to_array(init).ndim == 4)
    weight.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(weight) + np.float32(0.05), weight.name))
    perturbed = tmp_path / "perturbed.onnx"
    onnx.save(model, str(perturbed))
    capsys.readouterr()
    code = main(
        [
            "tiny_cnn",
            str(config),
            "--mode",
            "none",
            "--cfg-options",
            f"export.onnx_path={perturbed}",
            "evaluation.enabled=false",
        ]
    )
    assert code == 1
    assert "[FAIL] verification.pytorch_cpu_vs_onnx_cpu" in capsys.readouterr().out
    _, report = _latest_report(tmp_path)
    assert report["exit_code"] == 1 and report["failed_gates"] == ["verification.pytorch_cpu_vs_onnx_cpu"]
    reason = _gates(report)["verification.pytorch_cpu_vs_onnx_cpu"]["reason"]
    assert reason.startswith("3/3 samples failed (first: ") and "exceed atol+rtol*|ref|" in reason
    assert report["artifacts"]["onnx"]["source"] == "fallback" and report["artifacts"]["onnx"]["path"] == str(perturbed)
    summary = report["verification"]["pytorch_cpu_vs_onnx_cpu"]["summary"]
    assert not summary["features"]["passed"] and summary["features"]["max_abs"] > 1e-3
    assert "exceed atol+rtol" in summary["features"]["reason"]


def test_mode_none_without_artifact_fails(setup):
    tmp_path, config = setup
    assert main(["tiny_cnn", str(config), "--mode", "none"]) == 1
    _, report = _latest_report(tmp_path)
    assert "no onnx artifact" in _gates(report)["verification.pytorch_cpu_vs_onnx_cpu"]["reason"]


def test_explicit_trt_is_usage_error(setup, capsys):
    _, config = setup
    code = main(["tiny_cnn", str(config), "--mode", "trt", "--cfg-options", "export.onnx_path=x.onnx"])
    err = capsys.readouterr().err
    assert code == 2 and "tensorrt is unavailable: TensorRT not installed" in err and len(err.strip().splitlines()) == 1


def test_checkpoint_required_for_export(setup, capsys):
    _, config = setup
    assert main(["tiny_cnn", str(config), "--mode", "onnx", "--cfg-options", "checkpoint_path=None"]) == 2
    err = capsys.readouterr().err.strip().splitlines()  # log lines (stderr), then the error once
    errors = [line for line in err if "checkpoint_path | required by export" in line]
    assert errors == [err[-1]] and err[-1].startswith("awml-deploy: error: ")
    _, report = _latest_report(setup[0])
    assert report["exit_code"] == 2 and report["error"].startswith("checkpoint_path | required by export")


def test_locked_work_dir_is_refused(setup, capsys):
    tmp_path, config = setup
    with work_dir_lock(tmp_path / "work"):
        assert main(["tiny_cnn", str(config), "--mode", "onnx"]) == 2
    assert "work dir is locked by another run" in capsys.readouterr().err


def test_each_run_gets_its_own_directory_and_log(setup):
    tmp_path, config = setup
    for _ in range(2):
        assert main(["tiny_cnn", str(config), "--mode", "onnx", "--cfg-options", "evaluation.enabled=false"]) == 0
    runs = sorted((tmp_path / "work" / "runs").iterdir())
    assert len(runs) == 2
    logs = [(run / "deploy.log").read_text() for run in runs]
    assert all(log.count("project tiny_cnn, export mode onnx") == 1 for log in logs)


def test_project_exceptions_become_failed_gates_with_traceback_in_log(setup, capsys):
    tmp_path, config_file = setup
    from awml_deploy.config import load_config
    from awml_deploy.runtime import deploy

    class BrokenEvaluator(tiny_project.TinyEvaluator):
        def parse_predictions(self, output, sample):
            raise ValueError("bad prediction layout")

    config = load_config(config_file, ["export.mode='onnx'"])
    runner = tiny_project.TinyRunner(config)
    runner.evaluator = BrokenEvaluator()
    outcome = deploy(runner)
    assert outcome.exit_code == 1
    gates = _gates(outcome.report)
    assert gates["verification.pytorch_cpu_vs_onnx_cpu"]["status"] == "passed"
    assert gates["evaluation.onnx"]["reason"] == "evaluation onnx | ValueError: bad prediction layout"
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    log = (outcome.run_dir / "deploy.log").read_text()
    assert "Traceback (most recent call last)" in log and "bad prediction layout" in log


def test_broken_checkpoint_is_one_line_exit_1(setup, capsys):
    tmp_path, config = setup
    (tmp_path / "tiny.pth").write_bytes(b"not a checkpoint")
    assert main(["tiny_cnn", str(config), "--mode", "onnx"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    _, report = _latest_report(tmp_path)
    assert report["failed_gates"] == ["export.onnx"]
    assert "loading the PyTorch model from" in _gates(report)["export.onnx"]["reason"]
    assert report["verification"]["_status"] == {"status": "skipped", "reason": "export failed"}
