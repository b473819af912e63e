"""Cross-check helpers; the run against perception_eval itself is skipped when it is not installed."""

import math

import pytest

from awml_deploy import metrics
from awml_deploy.metrics import synthetic
from awml_deploy.metrics.crosscheck import compare


def test_compare_finds_largest_difference_and_null_mismatch():
    ours = {"modes": {"a": {"ap": {"1.0": 0.5, "2.0": None}, "n": 3}}}
    assert compare(ours, ours) == (0.0, "<root>")
    theirs = {"modes": {"a": {"ap": {"1.0": 0.5 + 1e-6, "2.0": None}, "n": 3}}}
    diff, path = compare(ours, theirs)
    assert abs(diff - 1e-6) < 1e-15 and path == "modes.a.ap.1.0"
    diff, path = compare(ours, {"modes": {"a": {"ap": {"1.0": 0.5, "2.0": 0.1}, "n": 3}}})
    assert math.isinf(diff) and path == "modes.a.ap.2.0"


def test_perception_eval_agrees():
    pytest.importorskip("perception_eval")
    from awml_deploy.metrics.crosscheck import crosscheck

    frames = synthetic.frames_3d(10, objects=10, seed=0, labels=("car", "pedestrian"))
    settings = {
        "labels": ["car", "pedestrian"],
        "thresholds": {"center_distance_bev": {"car": [1.0, 2.0], "pedestrian": [0.5]}},
    }
    ours = metrics.evaluate_detection3d(frames, settings).to_json_dict()
    assert crosscheck("detection3d", frames, settings, ours)["max_abs_diff"] <= 1e-9
