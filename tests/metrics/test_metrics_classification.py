"""Classification counts: uuid pairing, predicted-label grouping, unmatched uuids, inf rules."""

import math

from awml_deploy.metrics import ClassificationFrame, ClassObject, evaluate_classification

SETTINGS = {"labels": ["car", "truck", "bus"]}


def test_counts_with_unmatched_uuids_and_wrong_labels():
    frames = [
        {
            "frame_index": 0,
            "timestamp_us": 0,
            "gt": [{"uuid": "a", "label": "car"}, {"uuid": "b", "label": "truck"}, {"uuid": "c", "label": "car"}],
            "pred": [
                {"uuid": "a", "label": "car", "score": 0.9},
                {"uuid": "b", "label": "car", "score": 0.8},
                {"uuid": "d", "label": "truck", "score": 0.7},
            ],
        },
        {"frame_index": 1, "timestamp_us": 1, "gt": [{"uuid": "a", "label": "truck"}], "pred": []},
    ]
    result = evaluate_classification(frames, SETTINGS)
    car, truck, bus = (result.per_label[k] for k in ("car", "truck", "bus"))
    assert (car.num_pred, car.num_gt, car.num_tp, car.num_fp) == (2, 2, 1, 1)
    assert (car.scores.accuracy, car.scores.precision, car.scores.recall, car.scores.f1) == (1 / 3, 0.5, 0.5, 0.5)
    assert (truck.num_pred, truck.num_gt, truck.num_tp, truck.num_fp) == (1, 2, 0, 1)
    assert (truck.scores.accuracy, truck.scores.precision, truck.scores.recall) == (0.0, 0.0, 0.0)
    assert math.isinf(truck.scores.f1)  # P + R = 0
    assert all(math.isinf(v) for v in (bus.scores.accuracy, bus.scores.precision, bus.scores.recall, bus.scores.f1))
    total = result.total
    assert (total.accuracy, total.precision, total.recall) == (1 / 6, 1 / 3, 1 / 4)
    assert math.isclose(total.f1, 2 * (1 / 3) * (1 / 4) / (1 / 3 + 1 / 4))
    out = result.to_json_dict()
    assert out["per_label"]["bus"] == {
        "num_pred": 0,
        "num_gt": 0,
        "num_tp": 0,
        "num_fp": 0,
        "accuracy": "inf",
        "precision": "inf",
        "recall": "inf",
        "f1": "inf",
    }
    assert set(out["total"]) == {"accuracy", "precision", "recall", "f1"}


def test_recall_inf_without_gt_and_dataclasses():
    frames = [ClassificationFrame(gt=(), pred=(ClassObject("x", "car", 0.5),))]
    car = evaluate_classification(frames, SETTINGS).per_label["car"]
    assert (car.num_pred, car.num_tp, car.scores.precision) == (1, 0, 0.0)
    assert math.isinf(car.scores.recall) and math.isinf(car.scores.f1)
