"""Matching rules of METRICS.md, each with a hand-computed expectation."""

import math

import pytest
from metrics_cases import box, close, frame, settings

from awml_deploy.metrics import evaluate_detection3d


def label_result(frames, thresholds, mode, label="car", labels=("car",), **extra):
    result = evaluate_detection3d(frames, settings(thresholds, labels=labels, **extra))
    return result.modes[mode].per_label[label]


def test_distance_threshold_is_strict():
    frames = [frame(gt=[box("car", 0.0)], pred=[box("car", 1.0, score=0.9)])]
    r = label_result(frames, {"center_distance_bev": [1.0, 1.5]}, "center_distance_bev")
    assert r.num_tp == (0, 1)  # distance exactly 1.0 is not < 1.0
    assert r.num_fp == (1, 0)


def test_iou_threshold_is_strict():
    # Same footprint, half the height overlapping: IoU 3D = 1/3 exactly? use BEV: 4x2 vs 4x1 inside -> 0.5.
    frames = [
        frame(
            gt=[box("car", 0.0, size=(4.0, 2.0, 1.5))], pred=[box("car", 0.0, y=0.5, size=(4.0, 1.0, 1.5), score=0.9)]
        )
    ]
    r = label_result(frames, {"iou_bev": [0.5, 0.4]}, "iou_bev")
    assert r.num_tp == (0, 1)  # IoU exactly 0.5 is not > 0.5


def test_center_distance_3d_counts_z():
    frames = [frame(gt=[box("car", 0.0, z=0.0)], pred=[box("car", 0.0, z=1.5, score=0.9)])]
    result = evaluate_detection3d(frames, settings({"center_distance_3d": [1.0, 2.0], "center_distance_bev": [1.0]}))
    assert result.modes["center_distance_3d"].per_label["car"].num_tp == (0, 1)
    assert result.modes["center_distance_bev"].per_label["car"].num_tp == (1,)


def test_greedy_by_score_beats_closest_pair():
    # P1 (0.9) is 1.4 from A and 1.6 from B; P2 (0.8) is 0.1 from A and 2.9 from B. Greedy: P1 takes A, P2
    # fails on B. Closest-pair-first would give P2-A and P1-B, two TPs.
    frames = [
        frame(gt=[box("car", 0.0), box("car", 3.0)], pred=[box("car", 0.1, score=0.8), box("car", 1.4, score=0.9)])
    ]
    r = label_result(frames, {"center_distance_bev": [2.0]}, "center_distance_bev")
    assert (r.num_tp, r.num_fp) == ((1,), (1,))


def test_failed_best_match_uses_nothing_and_is_not_retried():
    # At t=1: P1 (0.9) is 1.2 from A -> FP and A stays free; P2 (0.8) at 0.5 from A takes it. At t=2: P1 takes A,
    # P2's best remaining is B at 2.5 -> FP, with no second chance against A.
    frames = [
        frame(gt=[box("car", 0.0), box("car", 3.0)], pred=[box("car", 1.2, score=0.9), box("car", 0.5, score=0.8)])
    ]
    r = label_result(frames, {"center_distance_bev": [1.0, 2.0]}, "center_distance_bev")
    assert r.num_tp == (1, 1)
    assert r.num_fp == (1, 1)


def test_best_ground_truth_tie_goes_to_first_in_input_order():
    # The pred is 1.0 from both GT; it takes the first; the second pred (0.8) at 1.5 from the first GT and 0.5 from
    # the second then gets the second GT. Had the tie gone to the second GT, the second pred would fail (1.5 >= 1.2).
    frames = [
        frame(gt=[box("car", -1.0), box("car", 1.0)], pred=[box("car", 0.0, score=0.9), box("car", 0.5, score=0.8)])
    ]
    r = label_result(frames, {"center_distance_bev": [1.2]}, "center_distance_bev")
    assert r.num_tp == (2,)


def test_score_tie_keeps_input_order():
    # Both preds score 0.5. At t=1 the first in input order (0.9 m, heading exact) goes first and takes the GT;
    # the second (0.1 m, heading off by pi/2) is an FP. Ranked [TP w=1, FP]: APH = AP = (89 * 0.9 + 0.4) / 81.
    # Had the second gone first, APH would be computed from [FP, TP w=0.5] instead.
    frames = [
        frame(gt=[box("car", 0.0)], pred=[box("car", 0.9, score=0.5), box("car", 0.1, yaw=math.pi / 2, score=0.5)])
    ]
    r = label_result(frames, {"center_distance_bev": [1.0]}, "center_distance_bev")
    assert r.num_tp == (1,)
    assert close(r.aph[0], (89 * 0.9 + 0.4) / 81)
    assert close(r.ap[0], (89 * 0.9 + 0.4) / 81)


def test_same_label_only_and_fp_counted_under_predicted_label():
    frames = [frame(gt=[box("truck", 0.0)], pred=[box("car", 0.0, score=0.9)])]
    result = evaluate_detection3d(frames, settings({"center_distance_bev": [2.0]}, labels=("car", "truck")))
    car = result.modes["center_distance_bev"].per_label["car"]
    truck = result.modes["center_distance_bev"].per_label["truck"]
    assert (car.num_gt, car.num_pred, car.num_tp, car.num_fp) == (0, 1, (0,), (1,))
    assert (truck.num_gt, truck.num_pred, truck.num_tp, truck.num_fp) == (1, 0, (0,), (0,))
    assert car.ap == (0.0,)  # N = 0 with predictions -> 0
    assert truck.ap == (0.0,)  # N > 0 without predictions -> 0


def test_per_label_thresholds():
    frames = [
        frame(
            gt=[box("car", 0.0), box("pedestrian", 10.0, size=(0.6, 0.6, 1.7))],
            pred=[box("car", 0.7, score=0.9), box("pedestrian", 10.7, size=(0.6, 0.6, 1.7), score=0.8)],
        )
    ]
    table = {"center_distance_bev": {"car": [1.0, 2.0], "pedestrian": [0.5]}}
    result = evaluate_detection3d(frames, settings(table, labels=("car", "pedestrian")))
    car = result.modes["center_distance_bev"].per_label["car"]
    ped = result.modes["center_distance_bev"].per_label["pedestrian"]
    assert car.thresholds == (1.0, 2.0) and car.num_tp == (1, 1)
    assert ped.thresholds == (0.5,) and ped.num_tp == (0,)
    assert result.to_json_dict()["modes"]["center_distance_bev"]["per_label"]["pedestrian"]["num_tp"] == {"0.5": 0}


def test_matching_never_crosses_frames():
    frames = [frame(gt=[box("car", 0.0)], index=0), frame(pred=[box("car", 0.0, score=0.9)], index=1)]
    r = label_result(frames, {"center_distance_bev": [1.0]}, "center_distance_bev")
    assert (r.num_gt, r.num_tp, r.num_fp) == (1, (0,), (1,))


@pytest.mark.parametrize(
    ("x", "y", "kept"),
    [
        (100.0, 0.0, False),
        (99.999, 0.0, True),
        (-100.0, 0.0, False),
        (0.0, 100.0, False),
        (0.0, -99.999, True),
        (99.0, -99.0, True),
    ],
)
def test_range_filter_is_strict_and_applies_to_both_sides(x, y, kept):
    frames = [frame(gt=[box("car", x, y)], pred=[box("car", x, y, score=0.9)])]
    r = label_result(frames, {"center_distance_bev": [1.0]}, "center_distance_bev")
    assert (r.num_gt, r.num_pred) == ((1, 1) if kept else (0, 0))
    assert math.isnan(r.ap[0]) != kept  # nothing left -> NaN


def test_range_filter_drops_the_prediction_outside():
    # GT inside, its prediction just outside: GT is a FN, the prediction is not counted at all.
    frames = [frame(gt=[box("car", 99.8)], pred=[box("car", 100.0, score=0.9)])]
    r = label_result(frames, {"center_distance_bev": [1.0]}, "center_distance_bev")
    assert (r.num_gt, r.num_pred, r.ap) == (1, 0, (0.0,))


def test_range_filter_settings_and_no_z_limit():
    frames = [frame(gt=[box("car", 40.0, z=500.0), box("car", 60.0)], pred=[])]
    r = label_result(
        frames,
        {"center_distance_bev": [1.0]},
        "center_distance_bev",
        range_filter={"max_abs_x": 50.0, "max_abs_y": 50.0},
    )
    assert r.num_gt == 1


def test_distance_buckets_are_half_open_on_bev_radius():
    frames = [
        frame(
            gt=[box("car", 30.0, 40.0), box("car", 10.0), box("car", 89.9)],
            pred=[box("car", 30.0, 40.0, score=0.9), box("car", 95.0, score=0.5)],
        )
    ]
    result = evaluate_detection3d(
        frames, settings({"center_distance_bev": [1.0]}, distance_buckets=[[0, 50], [50, 90], [90, 121], [0, 121]])
    )
    names = [b.name for b in result.distance_buckets]
    assert names == ["[0.0, 50.0)", "[50.0, 90.0)", "[90.0, 121.0)", "[0.0, 121.0)"]
    counts = [
        (
            b.modes["center_distance_bev"].per_label["car"].num_gt,
            b.modes["center_distance_bev"].per_label["car"].num_pred,
        )
        for b in result.distance_buckets
    ]
    assert counts == [(1, 0), (2, 1), (0, 1), (3, 2)]  # radius exactly 50 belongs to [50, 90)
    whole = result.modes["center_distance_bev"].per_label["car"]
    assert (whole.num_gt, whole.num_pred) == (3, 2)
    assert "distance_buckets" in result.to_json_dict()


def test_labels_outside_the_settings_are_ignored():
    frames = [frame(gt=[box("unknown", 0.0)], pred=[box("unknown", 0.0, score=0.9), box("car", 50.0, score=0.3)])]
    r = label_result(frames, {"center_distance_bev": [1.0]}, "center_distance_bev")
    assert (r.num_gt, r.num_pred, r.num_fp) == (0, 1, (1,))


def test_dataclass_and_mixed_frames_give_the_same_result():
    from awml_deploy.metrics import Frame3D, Object3D

    dicts = [
        frame(gt=[box("car", 0.0, yaw=0.2)], pred=[box("car", 0.4, yaw=0.1, score=0.9), box("car", 9.0, score=0.3)])
    ]
    objects = [
        Frame3D(
            gt=(Object3D("car", (0.0, 0.0, 0.0), (4.0, 2.0, 1.5), 0.2),),
            pred=(
                Object3D("car", (0.4, 0.0, 0.0), (4.0, 2.0, 1.5), 0.1, 0.9),
                Object3D("car", (9.0, 0.0, 0.0), (4.0, 2.0, 1.5), 0.0, 0.3),
            ),
        )
    ]
    mixed = [frame(gt=[objects[0].gt[0]], pred=[dicts[0]["pred"][0], objects[0].pred[1]])]
    table = {"center_distance_bev": [1.0], "iou_3d": [0.5]}
    expected = evaluate_detection3d(dicts, settings(table)).to_json_dict()
    assert evaluate_detection3d(objects, settings(table)).to_json_dict() == expected
    assert evaluate_detection3d(mixed, settings(table)).to_json_dict() == expected
    assert expected["modes"]["center_distance_bev"]["per_label"]["car"]["num_tp"] == {"1.0": 1}
