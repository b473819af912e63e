"""2D detection: pixel IoU, strict threshold, greedy per label, no APH."""

from metrics_cases import ap_flat, close

from awml_deploy.metrics import Frame2D, Object2D, evaluate_detection2d


def frame2d(gt=(), pred=(), index=0):
    return {"frame_index": index, "timestamp_us": index, "gt": list(gt), "pred": list(pred)}


def obj(label, box, score=None):
    out = {"label": label, "box": list(box)}
    if score is not None:
        out["score"] = score
    return out


SETTINGS = {"labels": ["car", "pedestrian"], "thresholds": {"iou_2d": {"car": [0.5, 0.3], "pedestrian": [0.5]}}}


def test_strict_iou_and_counts():
    frames = [
        frame2d(
            gt=[obj("car", (0, 0, 10, 10)), obj("pedestrian", (50, 50, 60, 80))],
            pred=[
                obj("car", (0, 0, 10, 5), 0.9),
                obj("car", (100, 100, 110, 110), 0.4),
                obj("pedestrian", (50, 50, 60, 80), 0.8),
            ],
        )
    ]
    result = evaluate_detection2d(frames, SETTINGS)
    car = result.modes["iou_2d"].per_label["car"]
    assert car.num_tp == (0, 1) and car.num_fp == (2, 1)  # IoU exactly 0.5 fails at 0.5
    assert car.ap[0] == 0.0 and close(car.ap[1], (89 * 0.9 + 0.4) / 81)  # [TP, FP], N = 1
    ped = result.modes["iou_2d"].per_label["pedestrian"]
    assert ped.num_tp == (1,) and close(ped.ap[0], 1.0)
    assert close(result.modes["iou_2d"].map, (car.mean_ap + ped.mean_ap) / 2)
    out = result.to_json_dict()["modes"]["iou_2d"]
    assert "aph" not in out["per_label"]["car"] and "maph" not in out
    assert out["per_label"]["car"]["num_tp"] == {"0.5": 0, "0.3": 1}


def test_greedy_same_label_and_dataclass_frames():
    frames = [
        Frame2D(
            gt=(Object2D("car", (0, 0, 10, 10)),),
            pred=(
                Object2D("pedestrian", (0, 0, 10, 10), 0.95),
                Object2D("car", (1, 0, 11, 10), 0.5),
                Object2D("car", (0, 0, 10, 10), 0.4),
            ),
        )
    ]
    result = evaluate_detection2d(frames, SETTINGS)
    car = result.modes["iou_2d"].per_label["car"]
    # The 0.5 car (IoU 9/11) takes the GT first; the perfect 0.4 box is an FP.
    assert car.num_tp == (1, 1) and car.num_fp == (1, 1)
    assert result.modes["iou_2d"].per_label["pedestrian"].num_fp == (1,)
    assert close(car.ap[0], ap_flat(1.0, 89) + ap_flat(0.5, 1))
