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

    # Distinct scores: the library ranks tied scores in reverse (np.argsort(...)[::-1]), we keep input order.
    frames = synthetic.frames_3d(10, objects=10, seed=0, labels=("car", "pedestrian"), score_decimals=9)
    settings = {
        "labels": ["car", "pedestrian"],
        "thresholds": {"center_distance_bev": {"car": [1.0, 2.0], "pedestrian": [0.5]}},
    }
    ours = metrics.evaluate_detection3d(frames, settings).to_json_dict()
    report = crosscheck("detection3d", frames, settings, ours)
    assert report["max_abs_diff"] <= 1e-9 and report["counts_equal"]


def test_crosscheck_compares_like_with_like_counts_and_means():
    # Issue 18: every mode, mirrored headings (signed and unsigned APH differ), and TP/FP counts and means compared.
    pytest.importorskip("perception_eval")
    from awml_deploy.metrics.crosscheck import crosscheck, reference_detection3d

    frames = synthetic.frames_3d(6, objects=12, seed=3, labels=("car", "pedestrian"), extent=60.0, score_decimals=9)
    for frame in frames:
        for pred in frame["pred"]:
            pred["yaw"] = -pred["yaw"]  # mirrored headings: APH is where the variants part
    settings = {
        "labels": ["car", "pedestrian"],
        "thresholds": {
            "center_distance_3d": {"car": [1.0, 2.0], "pedestrian": [0.5, 1.0]},
            "center_distance_bev": {"car": [1.0, 2.0], "pedestrian": [0.5, 1.0]},
            "plane_distance": {"car": [1.0, 2.0], "pedestrian": [0.5, 1.0]},
            "iou_bev": {"car": [0.3, 0.5], "pedestrian": [0.1, 0.3]},
            "iou_3d": {"car": [0.3, 0.5], "pedestrian": [0.1, 0.3]},
        },
    }
    ours = metrics.evaluate_detection3d(frames, settings).to_json_dict()
    report = crosscheck("detection3d", frames, settings, ours)
    assert report["max_abs_diff"] <= 1e-9 and report["counts_equal"], report
    theirs = reference_detection3d(frames, settings)
    car = theirs["modes"]["center_distance_bev"]["per_label"]["car"]
    assert set(car) >= {"num_tp", "num_fp", "mean_ap", "mean_aph"} and "maph" in theirs["modes"]["iou_3d"]
    assert car["num_tp"] == ours["modes"]["center_distance_bev"]["per_label"]["car"]["num_tp"]
    # The unsigned library APH really differs from our signed one here: the variant choice matters.
    if report["aph_variant"] == "unsigned":
        signed = ours["modes"]["center_distance_bev"]["maph"]
        assert abs(signed - theirs["modes"]["center_distance_bev"]["maph"]) > 1e-3


def test_like_with_like_swaps_in_the_unsigned_variant():
    from awml_deploy.metrics.crosscheck import like_with_like

    frames = synthetic.frames_3d(5, objects=10, seed=1, labels=("car",), extent=50.0)
    for frame in frames:
        for pred in frame["pred"]:
            pred["yaw"] = -pred["yaw"]
    settings = {"labels": ["car"], "thresholds": {"center_distance_bev": {"car": [1.0, 2.0]}}}
    ours = metrics.evaluate_detection3d(frames, settings).to_json_dict()
    assert like_with_like(ours, frames, settings, "signed") is ours
    legacy = metrics.evaluate_detection3d(frames, dict(settings, legacy_unsigned_yaw=True)).to_json_dict()
    swapped = like_with_like(ours, frames, settings, "unsigned")["modes"]["center_distance_bev"]
    row = legacy["modes"]["center_distance_bev"]["per_label"]["car"]
    assert swapped["per_label"]["car"]["aph"] == row["aph_legacy_unsigned_yaw"] != row["aph"]
    assert swapped["maph"] == legacy["modes"]["center_distance_bev"]["maph_legacy_unsigned_yaw"]
    assert swapped["per_label"]["car"]["ap"] == row["ap"]
