"""Latency statistics and report rendering."""

import math

import numpy as np
import pytest

from awml_deploy.core.errors import DeployError
from awml_deploy.evaluation import LatencyStats, summarize_stages
from awml_deploy.report import render_markdown, summary_lines


def test_latency_stats_match_numpy():
    values = [5.0, 1.0, 3.0, 2.0, 4.0, 10.0, 7.0]
    stats = LatencyStats.from_samples(values)
    data = np.array(values)
    assert stats.count == 7 and stats.mean == pytest.approx(data.mean()) and stats.std == pytest.approx(data.std())
    assert (stats.min, stats.max) == (1.0, 10.0)
    assert stats.p50 == 4.0
    assert stats.p90 == pytest.approx(np.percentile(data, 90))
    assert stats.p99 == pytest.approx(np.percentile(data, 99))
    assert stats.p50 <= stats.p90 <= stats.p99 <= stats.max


def test_single_value_and_empty():
    stats = LatencyStats.from_samples([2.5])
    assert stats.std == 0.0 and stats.p99 == 2.5
    with pytest.raises(DeployError, match="no timings"):
        LatencyStats.from_samples([])


def test_summarize_stages_keeps_order_and_counts():
    records = [
        {"preprocess_ms": 1.0, "model_ms": 10.0, "total_ms": 11.0},
        {"preprocess_ms": 3.0, "model_ms": 20.0, "total_ms": 23.0},
    ]
    stages = summarize_stages(records)
    assert list(stages) == ["preprocess_ms", "model_ms", "total_ms"]
    assert stages["model_ms"].mean == 15.0 and stages["total_ms"].count == 2


def _report(passed=True):
    latency = LatencyStats.from_samples([1.0, 2.0]).to_json_dict()
    return {
        "project": "demo",
        "run_dir": "/w/runs/1",
        "started_at": "t0",
        "finished_at": "t1",
        "duration_s": 1.0,
        "export_mode": "onnx",
        "config_hash": "ab" * 32,
        "passed": passed,
        "exit_code": 0 if passed else 1,
        "error": None,
        "environment": {
            "awml_deploy": "0.1.0",
            "git_sha": "c" * 40,
            "python": "3.11",
            "tensorrt": {"available": False, "reason": "TensorRT not installed", "version": None},
        },
        "gates": [
            {"name": "export.onnx", "status": "passed", "reason": ""},
            {
                "name": "verification.pytorch_cpu_vs_onnx_cpu",
                "status": "passed" if passed else "failed",
                "reason": "" if passed else "samples [0] failed",
            },
        ],
        "artifacts": {"onnx": {"path": "/w/onnx", "source": "registered", "size": 10, "sha256": "d" * 64}},
        "export": {
            "onnx": {"status": "passed", "components": [{"component": "model"}]},
            "tensorrt": {"status": "skipped", "reason": "tensorrt: skipped — TensorRT not installed"},
        },
        "verification": {
            "pytorch_cpu_vs_onnx_cpu": {
                "status": "passed",
                "reason": "",
                "precision": "fp32",
                "samples": [{}],
                "summary": {
                    "logits": {
                        "passed": True,
                        "max_abs": 1e-7,
                        "mean_abs": 1e-8,
                        "max_rel": 1e-6,
                        "cosine": 1.0,
                        "nan_inf": 0,
                    }
                },
            }
        },
        "evaluation": {
            "onnx": {
                "status": "passed",
                "device": "cpu",
                "num_samples": 2,
                "warmup": 1,
                "primary_metric": {"name": "accuracy", "value": 0.75},
                "latency": {"total_ms": latency},
            }
        },
        "deltas": {"onnx": {"metric": "accuracy", "reference": 0.75, "value": 0.75, "delta": 0.0}},
    }


def test_markdown_contains_every_section():
    text = render_markdown(_report())
    for needle in (
        "# awml-deploy report — demo: PASSED",
        "## Gates",
        "| export.onnx | passed |",
        "## Artifacts",
        "tensorrt: skipped — TensorRT not installed",
        "### pytorch_cpu_vs_onnx_cpu: passed",
        "| logits | yes | 1e-07",
        "accuracy = 0.75",
        "| total_ms | 1.5 |",
        "## Cross-backend deltas",
    ):
        assert needle in text, needle


def test_console_summary_is_short_and_marks_failures():
    lines = summary_lines(_report(passed=False), "/w/runs/1/report.json")
    assert lines[0].startswith("awml-deploy demo [onnx] FAILED (exit 1)")
    assert any(line.strip().startswith("[FAIL] verification.") for line in lines)
    assert lines[-1].endswith("report.json") and len(lines) < 25
    assert not math.isnan(float(lines[3].split("latency ")[1].split(" ms")[0]))
