"""tools/bench/perception_eval_bench.py without perception_eval: medians and ratios, and --reference-from (the
reuse of an earlier reference run) refusing other frames, keeping the earlier runs and failing on a difference."""

import importlib.util
import json
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("perception_eval_bench", ROOT / "tools/bench/perception_eval_bench.py")
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)


def _timing(seconds: float) -> dict:
    return {key: seconds for key in bench.TIMING_KEYS} | {"started_utc": "2026-12-06T00:00:00Z"}


def test_medians_and_ratios():
    runs = [_timing(3.0), _timing(1.0), _timing(2.0), _timing(10.0)]
    assert bench.medians(runs) == {key: 2.5 for key in bench.TIMING_KEYS}
    summary = bench.ratios(bench.medians(runs), bench.medians([_timing(500.0)]))
    assert summary["process_wall_s"] == {"ours": 2.5, "perception_eval": 500.0, "ratio": 200.0}


def _earlier(tmp_path, digest: str, modes: dict) -> pathlib.Path:
    path = tmp_path / "earlier.json"
    runs = {"ours": [_timing(0.5)], "perception_eval": [_timing(100.0)]}
    reference = {"aph_variant": "signed", "modes": modes}
    path.write_text(json.dumps({"frames_sha256": digest, "runs": runs, "reference_result": reference, "machine": {}}))
    return path


def _run(tmp_path, earlier: pathlib.Path) -> tuple[int, dict]:
    out = tmp_path / "out.json"
    argv = ["--frames", "2", "--objects", "3", "--ours-runs", "1", "--reference-from", str(earlier)]
    rc = bench.main([*argv, "--pe-python", str(tmp_path / "no-such-python"), "--output", str(out)])
    return rc, json.loads(out.read_text())


def test_reference_from_refuses_other_frames(tmp_path, capsys):
    with pytest.raises(SystemExit) as err:
        _run(tmp_path, _earlier(tmp_path, "0" * 64, {}))
    assert err.value.code == 2
    assert "its frames differ" in capsys.readouterr().err


def test_reference_from_keeps_the_reference_runs_and_fails_on_a_difference(tmp_path):
    digest = bench.bench_input(2, 3, 0)[3]
    rc, report = _run(tmp_path, _earlier(tmp_path, digest, {}))  # nothing to compare: no difference
    assert rc == 0 and report["max_abs_diff"] == 0.0
    assert report["runs"]["perception_eval"] == [_timing(100.0)] and len(report["runs"]["ours"]) == 1
    assert report["ours_alongside_reference"] == [_timing(0.5)]
    assert len(report["runs"]["ours_cli"]) == 1  # python -m awml_deploy.metrics, same result (checked by main)
    assert report["cli_summary"]["process_cpu_s"]["perception_eval"] == 100.0
    ours = report["summary"]["process_wall_s"]["ours"]
    assert 0.0 < ours < 100.0 and report["summary"]["process_wall_s"]["ratio"] == pytest.approx(100.0 / ours)
    assert report["machine"]["ours_python"] == sys.executable and report["machine"]["perception_eval_env"] is None

    rc, report = _run(tmp_path, _earlier(tmp_path, digest, {"iou_3d": {"map": 5.0}}))  # no mAP is 5
    assert rc == 1 and report["max_abs_diff"] >= 4.0 and report["worst_path"] == "modes.iou_3d.map"
