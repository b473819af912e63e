"""Public API surface: settings dataclasses, dispatch, frozen results, errors as DeployError with a path."""

import dataclasses

import numpy as np
import pytest
from metrics_cases import box, frame

from awml_deploy import metrics
from awml_deploy.core.errors import DeployError


def test_settings_dataclass_and_t4_buckets():
    settings = metrics.Detection3DSettings(
        labels=("car",),
        thresholds={"center_distance_bev": {"car": (1.0, 2.0)}},
        distance_buckets=metrics.T4_DISTANCE_BUCKETS,
    )
    frames = [frame(gt=[box("car", 60.0)], pred=[box("car", 60.5, score=0.9)])]
    result = metrics.evaluate_detection3d(frames, settings)
    assert [b.name for b in result.distance_buckets] == ["[0.0, 50.0)", "[50.0, 90.0)", "[90.0, 121.0)", "[0.0, 121.0)"]
    assert [b.modes["center_distance_bev"].per_label["car"].num_gt for b in result.distance_buckets] == [0, 1, 0, 1]
    assert result.modes["center_distance_bev"].per_label["car"].num_tp == (1, 1)


def test_results_are_frozen_and_dispatch_by_task():
    result = metrics.evaluate("detection3d", [frame()], {"labels": ["car"], "thresholds": {"iou_bev": {"car": [0.5]}}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.modes = {}
    with pytest.raises(DeployError, match=r"^task \| unknown task"):
        metrics.evaluate("tracking", [], {})


def test_api_errors_name_the_path():
    bad = [
        frame(
            gt=[box("car", 0.0)], pred=[{"label": "car", "center": [0, 0, 0], "size": [1, 1, -1], "yaw": 0, "score": 1}]
        )
    ]
    with pytest.raises(DeployError, match=r"^frames\[0\]\.pred\[0\]\.size \| "):
        metrics.evaluate_detection3d(bad, {"labels": ["car"], "thresholds": {"iou_bev": {"car": [0.5]}}})
    with pytest.raises(DeployError, match=r"^settings\.thresholds\.center_distance_bev\.car \| duplicate thresholds"):
        metrics.evaluate_detection3d(
            [frame()], {"labels": ["car"], "thresholds": {"center_distance_bev": {"car": [1, 1.0]}}}
        )


def test_array_frames_give_the_same_result_as_dicts():
    from awml_deploy.metrics import synthetic

    frames = synthetic.frames_3d(30, objects=12, seed=9)
    labels = list(synthetic.DEFAULT_LABELS)
    settings = {
        "labels": labels,
        "thresholds": {"center_distance_bev": {k: [1.0, 2.0] for k in labels}, "iou_3d": {k: [0.3] for k in labels}},
    }
    arrays = [metrics.ArrayFrame3D.from_frame(f) for f in frames]
    expected = metrics.evaluate_detection3d(frames, settings).to_json_dict()
    assert metrics.evaluate_detection3d(arrays, settings).to_json_dict() == expected
    broken = dataclasses.replace(arrays[3], pred_size=arrays[3].pred_size[:, :2])
    with pytest.raises(DeployError, match=r"^frames\[3\]\.pred_size \| wrong array"):
        metrics.evaluate_detection3d(arrays[:3] + [broken], settings)
    nan_yaw = dataclasses.replace(
        arrays[1], gt_yaw=np.where(np.arange(len(arrays[1].gt_yaw)) == 0, np.nan, arrays[1].gt_yaw)
    )
    with pytest.raises(DeployError, match=r"^frames\[1\]\.gt_yaw \| non-finite"):
        metrics.evaluate_detection3d(arrays[:1] + [nan_yaw], settings)
