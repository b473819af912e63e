"""Segmentation metrics: confusion matrix, IoU / mIoU with absent classes and the ignore index, CLI task."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import awml_deploy
from awml_deploy import metrics
from awml_deploy.core.errors import DeployError

PYTHON_DIR = str(Path(awml_deploy.__file__).resolve().parent.parent)
LABELS = ["ground", "car", "truck", "other"]


def seg(gt, pred, labels=None, ignore_index=None):
    frames = [{"frame_index": 0, "gt_labels": gt, "pred_labels": pred}]
    return metrics.evaluate_segmentation(frames, {"labels": labels or LABELS, "ignore_index": ignore_index})


def test_hand_computed_example():
    # truth:      0 0 0 1 1 2 ; prediction: 0 0 1 1 2 2
    result = seg([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2])
    assert result.confusion_matrix.tolist() == [[2, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
    ground, car, truck, other = (result.per_label[k] for k in LABELS)
    assert (ground.num_gt, ground.num_pred, ground.num_tp) == (3, 2, 2)
    assert ground.iou == pytest.approx(2 / 3) and car.iou == pytest.approx(1 / 3) and truck.iou == pytest.approx(0.5)
    assert car.accuracy == pytest.approx(0.5) and truck.accuracy == 1.0
    assert math.isnan(other.iou) and math.isnan(other.accuracy)  # absent and never predicted: 0/0
    assert result.miou == pytest.approx((2 / 3 + 1 / 3 + 0.5) / 3)  # NaN skipped, not counted as 0
    assert result.overall_accuracy == pytest.approx(4 / 6)
    assert result.mean_accuracy == pytest.approx((2 / 3 + 0.5 + 1.0) / 3)
    assert result.num_points == 6 and result.num_ignored == 0


def test_absent_class_that_is_predicted_has_iou_zero():
    result = seg([0, 0, 1], [0, 3, 1])
    assert result.per_label["other"].iou == 0.0  # false positives only: counts in the mean
    assert math.isnan(result.per_label["truck"].iou)
    assert result.miou == pytest.approx((0.5 + 1.0 + 0.0) / 3)


def test_all_absent_gives_nan_and_null_json():
    result = seg([], [])
    assert math.isnan(result.miou) and math.isnan(result.overall_accuracy) and result.num_points == 0
    doc = result.to_json_dict()
    assert doc["miou"] is None and doc["overall_accuracy"] is None and doc["per_label"]["car"]["iou"] is None
    json.dumps(doc, allow_nan=False)


def test_ignore_index_outside_the_labels_drops_points_whatever_was_predicted():
    with_ignored = seg([0, 255, 1, 255], [0, 1, 1, 3], ignore_index=255)
    without = seg([0, 1], [0, 1])
    assert with_ignored.confusion_matrix.tolist() == without.confusion_matrix.tolist()
    assert with_ignored.num_ignored == 2 and with_ignored.num_points == 2 and with_ignored.miou == 1.0


def test_ignore_index_inside_the_labels_gets_nan_iou_and_leaves_the_mean():
    result = seg([0, 0, 3, 3, 1], [0, 3, 3, 1, 1], ignore_index=3)
    assert math.isnan(result.per_label["other"].iou)
    assert result.per_label["other"].num_gt == 0  # its ground-truth points were dropped
    assert result.per_label["other"].num_pred == 1  # the prediction on a ground-truth 0 point stays counted
    assert result.per_label["ground"].iou == pytest.approx(0.5)
    assert result.miou == pytest.approx((0.5 + 1.0) / 2)


def test_pooled_over_frames_not_averaged():
    frames = [
        {"gt_labels": [1] * 9 + [0], "pred_labels": [1] * 9 + [1]},
        {"gt_labels": [0], "pred_labels": [0]},
    ]
    result = metrics.evaluate_segmentation({"frames": frames}, {"labels": LABELS})
    assert result.per_label["car"].iou == pytest.approx(9 / 10)
    assert result.per_label["ground"].iou == pytest.approx(1 / 2)


def test_matches_a_per_point_loop_on_random_data():
    rng = np.random.default_rng(3)
    frames = []
    for n in (0, 1, 57, 1000):
        gt = rng.integers(0, 5, size=n)
        gt[rng.uniform(size=n) < 0.1] = -1
        pred = np.where(rng.uniform(size=n) < 0.7, np.clip(gt, 0, 4), rng.integers(0, 5, size=n))
        frames.append({"gt_labels": gt, "pred_labels": pred})
    labels = ["a", "b", "c", "d", "e"]
    result = metrics.evaluate_segmentation(frames, {"labels": labels, "ignore_index": -1})
    counts = np.zeros((5, 5), dtype=np.int64)
    for f in frames:
        for g, p in zip(f["gt_labels"].tolist(), f["pred_labels"].tolist(), strict=True):
            if g != -1:
                counts[g, p] += 1
    assert result.confusion_matrix.tolist() == counts.tolist()
    for i, name in enumerate(labels):
        union = counts[i].sum() + counts[:, i].sum() - counts[i, i]
        assert result.per_label[name].iou == pytest.approx(counts[i, i] / union)
    # Lists of ints and int arrays give the same result.
    listed = [{k: v.tolist() for k, v in f.items()} for f in frames]
    listed[3]["gt_labels"] = list(frames[3]["gt_labels"])  # a list of NumPy integers is accepted too
    assert metrics.evaluate_segmentation(listed, {"labels": labels, "ignore_index": -1}).to_json_dict() == (
        result.to_json_dict()
    )


@pytest.mark.parametrize(
    ("frames", "settings", "needle"),
    [
        ([{"gt_labels": [0, 4], "pred_labels": [0, 0]}], {"labels": LABELS}, "frames[0].gt_labels[1]"),
        ([{"gt_labels": [0, 1], "pred_labels": [0, -1]}], {"labels": LABELS}, "frames[0].pred_labels[1]"),
        ([{"gt_labels": [0, 1], "pred_labels": [0]}], {"labels": LABELS}, "frames[0].pred_labels"),
        ([{"gt_labels": [0, 1.5], "pred_labels": [0, 0]}], {"labels": LABELS}, "frames[0].gt_labels[1]"),
        ([{"gt_labels": [0, True], "pred_labels": [0, 0]}], {"labels": LABELS}, "frames[0].gt_labels[1]"),
        ([{"gt_labels": [0]}], {"labels": LABELS}, "frames[0].pred_labels"),
        ([{"gt_labels": "0", "pred_labels": [0]}], {"labels": LABELS}, "frames[0].gt_labels"),
        ([{"gt_labels": [0], "pred_labels": [0]}], {"labels": []}, "settings.labels"),
        ([{"gt_labels": [0], "pred_labels": [0]}], {"labels": ["a", "a"]}, "settings.labels"),
        ([{"gt_labels": [0], "pred_labels": [0]}], {"labels": LABELS, "ignore_index": "255"}, "settings.ignore_index"),
        ([{"gt_labels": [0], "pred_labels": [0]}], {"labels": LABELS, "ignore_index": 1.0}, "settings.ignore_index"),
        ([{"gt_labels": np.zeros((2, 2), int), "pred_labels": [0]}], {"labels": LABELS}, "frames[0].gt_labels"),
    ],
)
def test_bad_input_names_the_path(frames, settings, needle):
    with pytest.raises(DeployError) as info:
        metrics.evaluate_segmentation(frames, settings)
    assert str(info.value).startswith(needle) and "\n" not in str(info.value)


def run_cli(tmp_path, frames, settings):
    (tmp_path / "frames.json").write_text(frames if isinstance(frames, str) else json.dumps(frames))
    (tmp_path / "settings.json").write_text(json.dumps(settings))
    output = tmp_path / "result.json"
    cmd = [sys.executable, "-m", "awml_deploy.metrics", "--task", "segmentation"]
    cmd += ["--frames", str(tmp_path / "frames.json"), "--settings", str(tmp_path / "settings.json")]
    cmd += ["--output", str(output)]
    env = {**os.environ, "PYTHONPATH": PYTHON_DIR}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    return proc, json.loads(output.read_text()) if proc.returncode == 0 else None


def test_cli_segmentation_task(tmp_path):
    frames = {
        "frames": [
            {"frame_index": 0, "gt_labels": [0, 0, 0, 1, 1, 2], "pred_labels": [0, 0, 1, 1, 2, 2], "note": "x"},
            {"frame_index": 1, "gt_labels": [255, 1], "pred_labels": [3, 1]},
        ]
    }
    proc, result = run_cli(tmp_path, frames, {"labels": LABELS, "ignore_index": 255})
    assert proc.returncode == 0, proc.stderr
    assert set(result) == {
        "per_label",
        "miou",
        "overall_accuracy",
        "mean_accuracy",
        "num_points",
        "num_ignored",
        "ignore_index",
        "confusion_matrix",
    }
    assert result["confusion_matrix"] == {
        "labels": LABELS,
        "counts": [[2, 1, 0, 0], [0, 2, 1, 0], [0, 0, 1, 0], [0, 0, 0, 0]],
    }
    assert result["per_label"]["other"] == {"num_gt": 0, "num_pred": 0, "num_tp": 0, "iou": None, "accuracy": None}
    assert result["per_label"]["car"]["iou"] == pytest.approx(0.5)
    assert result["miou"] == pytest.approx((2 / 3 + 0.5 + 0.5) / 3)
    assert result["num_ignored"] == 1 and result["num_points"] == 7 and result["ignore_index"] == 255


@pytest.mark.parametrize(
    ("frames", "settings", "needle"),
    [
        ({"frames": [{"gt_labels": [0, 9], "pred_labels": [0, 0]}]}, {"labels": LABELS}, "frames[0].gt_labels[1]"),
        ({"frames": [{"gt_labels": [0], "pred_labels": ["car"]}]}, {"labels": LABELS}, "frames[0].pred_labels[0]"),
        ({"frame": []}, {"labels": LABELS}, "<root>.frames"),
        ("{not json", {"labels": LABELS}, "--frames"),
    ],
)
def test_cli_malformed_input_is_one_line_exit_2(tmp_path, frames, settings, needle):
    proc, _ = run_cli(tmp_path, frames, settings)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in proc.stderr
