"""AP, APH and mean rules of METRICS.md with hand-computed values."""

import math

import numpy as np
from metrics_cases import ap_flat, box, close, frame, settings

from awml_deploy.metrics import evaluate_detection3d
from awml_deploy.metrics.ap import average_precision, nan_mean

BEV = {"center_distance_bev": [1.0]}


def car_result(frames, thresholds=None, labels=("car",), label="car", mode="center_distance_bev"):
    result = evaluate_detection3d(frames, settings(thresholds or BEV, labels=labels))
    return result, result.modes[mode].per_label[label]


def ranked_ap(flags, num_gt, weights=None):
    hit = np.array([flags], dtype=bool)
    w = np.array([weights], dtype=np.float64) if weights is not None else hit.astype(np.float64)
    return float(average_precision(w, hit, num_gt)[0])


def test_perfect_single_detection_gives_one():
    assert close(ranked_ap([True], 1), 1.0)


def test_recall_one_uses_precision_of_whole_list():
    # [TP, FP] with N = 1: P(x) = 1 for x < 1, but at x = 1.0 numpy.interp takes the envelope at the LAST item with
    # recall 1, i.e. 1/2. A step function using the first item reaching recall 1 would give AP = 1.
    expected = (89 * (1.0 - 0.1) + (0.5 - 0.1)) / 90 / 0.9
    assert close(ranked_ap([True, False], 1), expected)
    frames = [frame(gt=[box("car", 0.0)], pred=[box("car", 0.1, score=0.9), box("car", 30.0, score=0.2)])]
    assert close(car_result(frames)[1].ap[0], expected)


def test_trailing_fps_after_full_recall_only_touch_the_last_level():
    expected = (89 * 0.9 + (1 / 3 - 0.1)) / 81  # [TP, FP, FP]
    assert close(ranked_ap([True, False, False], 1), expected)


def test_precision_floor_of_point_one():
    # 9 FPs then the TP: precision 0.1 everywhere -> counts as 0.
    assert ranked_ap([False] * 9 + [True], 1) == 0.0
    # 4 FPs then the TP: precision 0.2 on every level -> (0.2 - 0.1) / 0.9.
    assert close(ranked_ap([False] * 4 + [True], 1), ap_flat(0.2, 90))


def test_level_point_ten_is_excluded():
    # N = 10, one TP: P = 1 up to recall 0.10 inclusive, 0 after. Level 0.10 is not averaged -> AP 0.
    assert ranked_ap([True], 10) == 0.0
    # Two TPs: levels 0.11 .. 0.20 (10 of them) at precision 1.
    assert close(ranked_ap([True, True], 10), ap_flat(1.0, 10))


def test_envelope_takes_best_later_precision():
    # [TP, FP, TP] with N = 2: p = 1, 1/2, 2/3; envelope 1, 2/3, 2/3; recall .5, .5, 1.
    # Levels 0.11..0.49 -> 1 (39 levels); 0.50 equals recall of items 0 and 1 -> last of them: 2/3;
    # 0.51..1.00 -> interpolation between (0.5, 2/3) and (1, 2/3) = 2/3 (50 levels).
    expected = (39 * 0.9 + 51 * (2 / 3 - 0.1)) / 81
    assert close(ranked_ap([True, False, True], 2), expected)


def test_degenerate_cases():
    assert math.isnan(float(average_precision(np.zeros((1, 0)), np.zeros((1, 0), bool), 0)[0]))
    assert float(average_precision(np.zeros((1, 0)), np.zeros((1, 0), bool), 3)[0]) == 0.0
    assert ranked_ap([False, False], 0) == 0.0


def test_aph_weights_and_examples():
    # (pred yaw, GT yaw, levels 0.11.. covered by recall w): w = 0.618 -> 0.11..0.61 (51), w = 0.910 -> 0.11..0.90
    # (80), reversed heading w = 0 -> none.
    cases = [(0.6, -0.6, 51), (3.0, -3.0, 80), (1.0, 1.0 - math.pi, 0)]
    for yaw_p, yaw_g, levels in cases:
        frames = [frame(gt=[box("car", 0.0, yaw=yaw_g)], pred=[box("car", 0.0, yaw=yaw_p, score=0.9)])]
        r = car_result(frames)[1]
        assert close(r.aph[0], ap_flat(1.0, levels)), (yaw_p, yaw_g)
        assert close(r.ap[0], 1.0)
    assert round(1 - 1.2 / math.pi, 3) == 0.618 and round(1 - (2 * math.pi - 6.0) / math.pi, 3) == 0.910


def test_aph_legacy_unsigned_weights():
    from awml_deploy.metrics.geometry import heading_weight

    w = heading_weight(np.array([0.6, 3.0, 1.0 - math.pi]), np.array([-0.6, -3.0, 1.0]), legacy_unsigned=True)
    assert np.allclose(w, [1.0, 1.0, 1 - (math.pi - 2.0) / math.pi]) and round(float(w[2]), 3) == 0.637
    signed = heading_weight(np.array([0.6, 3.0, 1.0 - math.pi]), np.array([-0.6, -3.0, 1.0]))
    assert np.round(signed, 3).tolist() == [0.618, 0.910, 0.0]
    frames = [frame(gt=[box("car", 0.0, yaw=1.0)], pred=[box("car", 0.0, yaw=1.0 - math.pi, score=0.9)])]
    result = evaluate_detection3d(frames, settings(BEV, legacy_unsigned_yaw=True))
    r = result.modes["center_distance_bev"].per_label["car"]
    assert r.aph == (0.0,) and close(r.aph_legacy_unsigned_yaw[0], ap_flat(1.0, 63 - 10))  # w = 0.6366 -> 0.11..0.63
    assert "aph_legacy_unsigned_yaw" in result.to_json_dict()["modes"]["center_distance_bev"]["per_label"]["car"]


def test_aph_precision_denominator_is_weighted_tp_plus_fp():
    # N = 1: an FP (0.9) then a TP with heading off by pi/2 (w = 0.5). p = 0.5 / (0.5 + 1) = 1/3 (not 0.5 / 2),
    # recall 0.5: levels 0.11..0.50 at 1/3.
    frames = [
        frame(gt=[box("car", 0.0)], pred=[box("car", 50.0, score=0.9), box("car", 0.0, yaw=math.pi / 2, score=0.8)])
    ]
    r = car_result(frames)[1]
    assert close(r.aph[0], ap_flat(1 / 3, 40))
    assert close(r.ap[0], ap_flat(0.5, 90))


def test_nan_rules_and_means():
    # car: found; bus: no GT and no prediction -> NaN everywhere; truck: GT but no prediction -> 0.
    frames = [frame(gt=[box("car", 0.0), box("truck", 20.0)], pred=[box("car", 0.0, score=0.9)])]
    table = {"center_distance_bev": {"car": [1.0, 2.0], "truck": [1.0], "bus": [1.0, 2.0]}}
    result, car = car_result(frames, table, labels=("car", "truck", "bus"))
    mode = result.modes["center_distance_bev"]
    assert close(car.mean_ap, 1.0) and mode.per_label["truck"].mean_ap == 0.0
    bus = mode.per_label["bus"]
    assert math.isnan(bus.mean_ap) and all(math.isnan(v) for v in bus.ap)
    assert close(mode.map, 0.5) and close(mode.maph, 0.5)  # NaN label skipped
    out = result.to_json_dict()["modes"]["center_distance_bev"]
    assert out["per_label"]["bus"]["ap"] == {"1.0": None, "2.0": None} and out["per_label"]["bus"]["mean_ap"] is None


def test_all_nan_gives_nan_map():
    result = evaluate_detection3d([frame()], settings(BEV))
    assert math.isnan(result.modes["center_distance_bev"].map)
    assert result.to_json_dict()["modes"]["center_distance_bev"]["map"] is None
    assert math.isnan(nan_mean([])) and nan_mean([float("nan"), 1.0, 3.0]) == 2.0


def test_pooled_ranking_across_frames():
    # Frame 0: TP at 0.5; frame 1: FP at 0.9 (no GT there). Ranked [FP, TP]: p = 0, 1/2; N = 1 -> P = 1/2.
    frames = [
        frame(gt=[box("car", 0.0)], pred=[box("car", 0.0, score=0.5)], index=0),
        frame(pred=[box("car", 0.0, score=0.9)], index=1),
    ]
    assert close(car_result(frames)[1].ap[0], ap_flat(0.5, 90))


def test_finding13_perfect_map_is_exactly_one_in_json(tmp_path):
    # (1 - 0.1) / 0.9 is 1.0000000000000004 in floating point: every perfect AP printed above 1 before.
    import json
    import subprocess
    import sys

    frames = [frame([box("car", float(i))], [box("car", float(i), score=0.9)], index=i) for i in range(3)]
    (tmp_path / "f.json").write_text(json.dumps({"frames": frames}))
    (tmp_path / "s.json").write_text(json.dumps(settings(BEV)))
    command = [
        sys.executable,
        "-m",
        "awml_deploy.metrics",
        "--task",
        "detection3d",
        "--frames",
        str(tmp_path / "f.json"),
    ]
    command += ["--settings", str(tmp_path / "s.json"), "--output", str(tmp_path / "r.json")]
    subprocess.run(command, check=True, env={"PYTHONPATH": ":".join(p for p in sys.path if p)})
    text = (tmp_path / "r.json").read_text()
    assert "1.0000000000000004" not in text
    result = json.loads(text)["modes"]["center_distance_bev"]
    assert result["map"] == 1.0 and result["maph"] == 1.0
    assert result["per_label"]["car"]["ap"] == {"1.0": 1.0}
    hit = np.ones((1, 5), dtype=bool)
    assert average_precision(hit.astype(np.float64), hit, 5).tolist() == [1.0]
