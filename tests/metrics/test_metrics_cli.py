"""The command-line contract: `python3 -m awml_deploy.metrics` in a subprocess with PYTHONPATH=<python dir>."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from metrics_cases import box, frame

import awml_deploy

PYTHON_DIR = str(Path(awml_deploy.__file__).resolve().parent.parent)


def run_cli(tmp_path, task, frames, settings, extra=()):
    paths = {}
    for name, doc in (("frames", frames), ("settings", settings)):
        path = tmp_path / f"{name}.json"
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        paths[name] = str(path)
    output = tmp_path / "result.json"
    env = {**os.environ, "PYTHONPATH": PYTHON_DIR}
    cmd = [
        sys.executable,
        "-m",
        "awml_deploy.metrics",
        "--task",
        task,
        "--frames",
        paths["frames"],
        "--settings",
        paths["settings"],
        "--output",
        str(output),
        *extra,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    result = json.loads(output.read_text()) if proc.returncode == 0 else None
    return proc, result


def test_detection3d_output_schema(tmp_path):
    frames = {
        "frames": [frame(gt=[box("car", 0.0)], pred=[box("car", 0.5, score=0.9), box("truck", 0.0, score=0.4)])],
        "note": "ignored",
    }
    frames["frames"][0]["note"] = "ignored too"
    settings = {
        "labels": ["car", "truck"],
        "range_filter": {"max_abs_x": 100.0, "max_abs_y": 100.0},
        "thresholds": {"center_distance_bev": {"car": [1, 2], "truck": [2]}, "iou_3d": {"car": [0.5], "truck": [0.5]}},
        "unknown": 1,
    }
    proc, result = run_cli(tmp_path, "detection3d", frames, settings)
    assert proc.returncode == 0, proc.stderr
    assert set(result) == {"modes"} and set(result["modes"]) == {"center_distance_bev", "iou_3d"}
    mode = result["modes"]["center_distance_bev"]
    assert set(mode) == {"per_label", "map", "maph"}
    car = mode["per_label"]["car"]
    assert set(car) == {"thresholds", "num_gt", "num_pred", "num_tp", "num_fp", "ap", "mean_ap", "aph", "mean_aph"}
    assert car["thresholds"] == [1.0, 2.0] and car["num_tp"] == {"1.0": 1, "2.0": 1}
    assert abs(car["ap"]["1.0"] - 1.0) < 1e-12
    truck = mode["per_label"]["truck"]
    assert (truck["num_gt"], truck["num_fp"], truck["ap"]) == (0, {"2.0": 1}, {"2.0": 0.0})


def test_nan_written_as_null(tmp_path):
    proc, result = run_cli(
        tmp_path, "detection3d", {"frames": [frame()]}, {"labels": ["car"], "thresholds": {"iou_bev": {"car": [0.5]}}}
    )
    assert proc.returncode == 0, proc.stderr
    entry = result["modes"]["iou_bev"]
    assert entry["map"] is None and entry["per_label"]["car"]["ap"] == {"0.5": None}


def test_detection2d_and_classification(tmp_path):
    frames2d = {
        "frames": [
            {
                "frame_index": 0,
                "timestamp_us": 0,
                "gt": [{"label": "car", "box": [0, 0, 10, 10]}],
                "pred": [{"label": "car", "box": [0, 0, 10, 10], "score": 0.9}],
            }
        ]
    }
    proc, result = run_cli(
        tmp_path, "detection2d", frames2d, {"labels": ["car"], "thresholds": {"iou_2d": {"car": [0.5]}}}
    )
    assert proc.returncode == 0, proc.stderr
    assert set(result["modes"]["iou_2d"]) == {"per_label", "map"}
    assert "aph" not in result["modes"]["iou_2d"]["per_label"]["car"]
    frames_cls = {
        "frames": [
            {
                "frame_index": 0,
                "timestamp_us": 0,
                "gt": [{"uuid": "u", "label": "ok"}],
                "pred": [{"uuid": "u", "label": "ok", "score": 1.0}],
            }
        ]
    }
    proc, result = run_cli(tmp_path, "classification2d", frames_cls, {"labels": ["ok", "bad"]})
    assert proc.returncode == 0, proc.stderr
    assert result["per_label"]["ok"] == {
        "num_pred": 1,
        "num_gt": 1,
        "num_tp": 1,
        "num_fp": 0,
        "accuracy": 1.0,
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }
    assert result["per_label"]["bad"]["accuracy"] == "inf"


BAD_INPUTS = [
    (
        {"frames": [frame(pred=[{"label": "car", "center": [0, 0, 0], "size": [1, 2], "yaw": 0, "score": 1}])]},
        {"labels": ["car"], "thresholds": {"iou_bev": {"car": [0.5]}}},
        "frames[0].pred[0].size",
    ),
    (
        {
            "frames": [
                frame(),
                frame(gt=[{"label": "car", "center": [0, 0, 0], "size": [1, 2, 1], "yaw": "0"}], index=1),
            ]
        },
        {"labels": ["car"], "thresholds": {"iou_bev": {"car": [0.5]}}},
        "frames[1].gt[0].yaw",
    ),
    (
        {"frames": [frame(pred=[{"label": "car", "center": [0, 0, 0], "size": [1, 2, 1], "yaw": 0}])]},
        {"labels": ["car"], "thresholds": {"iou_bev": {"car": [0.5]}}},
        "frames[0].pred[0].score",
    ),
    (
        {"frames": [frame(gt=[{"label": "car", "center": [0, True, 0], "size": [1, 2, 1], "yaw": 0}])]},
        {"labels": ["car"], "thresholds": {"iou_bev": {"car": [0.5]}}},
        "frames[0].gt[0].center[1]",
    ),
    (
        {"frames": [{"frame_index": 0, "timestamp_us": 0, "gt": []}]},
        {"labels": ["car"], "thresholds": {"iou_bev": {"car": [0.5]}}},
        "frames[0].pred",
    ),
    (
        {"frames": [frame()]},
        {"labels": ["car"], "thresholds": {"iou_4d": {"car": [0.5]}}},
        "settings.thresholds.iou_4d",
    ),
    ({"frames": [frame()]}, {"labels": [], "thresholds": {"iou_bev": {}}}, "settings.labels"),
    (
        {"frames": [frame()]},
        {"labels": ["car", "bus"], "thresholds": {"iou_bev": {"car": [0.5]}}},
        "settings.thresholds.iou_bev.bus",
    ),
    (
        {"frames": [frame()]},
        {"labels": ["car"], "thresholds": {"iou_bev": {"car": [1.5]}}},
        "settings.thresholds.iou_bev.car[0]",
    ),
    ({"frames": [frame()]}, {"labels": ["car"]}, "settings.thresholds"),
    ({"frames": "x"}, {"labels": ["car"], "thresholds": {"iou_bev": {"car": [0.5]}}}, "frames"),
    ("{not json", {"labels": ["car"], "thresholds": {"iou_bev": {"car": [0.5]}}}, "--frames"),
]


@pytest.mark.parametrize(("frames", "settings", "path"), BAD_INPUTS)
def test_malformed_input_is_one_line_naming_the_path(tmp_path, frames, settings, path):
    proc, _ = run_cli(tmp_path, "detection3d", frames, settings)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(f"error: {path} "), lines[0]


def test_duplicate_classification_uuid_and_bad_2d_box(tmp_path):
    frames = {
        "frames": [
            {
                "frame_index": 0,
                "timestamp_us": 0,
                "gt": [{"uuid": "a", "label": "ok"}, {"uuid": "a", "label": "ok"}],
                "pred": [],
            }
        ]
    }
    proc, _ = run_cli(tmp_path, "classification2d", frames, {"labels": ["ok"]})
    assert proc.returncode == 2 and proc.stderr.startswith("error: frames[0].gt[1].uuid ")
    frames2d = {
        "frames": [{"frame_index": 0, "timestamp_us": 0, "gt": [{"label": "car", "box": [10, 0, 5, 10]}], "pred": []}]
    }
    proc, _ = run_cli(tmp_path, "detection2d", frames2d, {"labels": ["car"], "thresholds": {"iou_2d": {"car": [0.5]}}})
    assert proc.returncode == 2 and proc.stderr.startswith("error: frames[0].gt[0].box ")


def test_crosscheck_flag_without_perception_eval_fails_cleanly(tmp_path):
    try:
        import perception_eval  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("perception_eval is installed: the crosscheck itself is tested in test_metrics_crosscheck")
    proc, _ = run_cli(
        tmp_path,
        "detection3d",
        {"frames": [frame()]},
        {"labels": ["car"], "thresholds": {"iou_bev": {"car": [0.5]}}},
        extra=["--crosscheck"],
    )
    assert proc.returncode == 2 and proc.stderr.startswith("error: --crosscheck | perception_eval is not importable")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_import_needs_only_numpy_and_help_works():
    code = (
        "import sys; import awml_deploy.metrics as m; "
        "heavy = {'shapely', 'torch', 'onnx', 'perception_eval'} & set(sys.modules); "
        "assert not heavy, heavy; print(len(m.__all__))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": PYTHON_DIR},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "awml_deploy.metrics", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": PYTHON_DIR},
        timeout=60,
    )
    assert proc.returncode == 0 and "--task" in proc.stdout
