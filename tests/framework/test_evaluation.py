"""BaseEvaluator (warm-up, sample count, latency) and the metrics interfaces on `awml_deploy.metrics`."""

import numpy as np
import pytest

from awml_deploy.core import Backend, DeployError, DeviceSpec
from awml_deploy.core.artifacts import Artifact
from awml_deploy.evaluation import (
    BaseEvaluator,
    ClassificationMetricsInterface,
    Detection2DMetricsInterface,
    Detection3DMetricsInterface,
)
from awml_deploy.pipelines import BaseRunner, ModelSpec, TensorPipeline


def _box3d(label, x, score=None):
    obj = {"label": label, "center": [x, 2.0, 0.0], "size": [4.0, 2.0, 1.5], "yaw": 0.1}
    return obj if score is None else {**obj, "score": score}


def test_detection3d_interface_perfect_and_missed():
    settings = {
        "labels": ["car"],
        "range_filter": {"max_abs_x": 100.0, "max_abs_y": 100.0},
        "thresholds": {"center_distance_bev": {"car": [1.0, 2.0]}},
    }
    metrics = Detection3DMetricsInterface(settings)
    metrics.add_frame([_box3d("car", 10.0, 0.9)], [_box3d("car", 10.0)])
    metrics.add_frame([], [_box3d("car", 30.0)])
    result = metrics.compute()
    name, value = metrics.primary_metric(result)
    assert name == "map_center_distance_bev"
    assert result["modes"]["center_distance_bev"]["per_label"]["car"]["num_gt"] == 2
    assert 0.0 < value < 1.0  # one of two GT found
    metrics.reset()
    metrics.add_frame([_box3d("car", 10.0, 0.9)], [_box3d("car", 10.0)])
    assert metrics.primary_metric(metrics.compute())[1] == pytest.approx(1.0)


def test_detection2d_interface():
    settings = {"labels": ["car"], "thresholds": {"iou_2d": {"car": [0.5]}}}
    metrics = Detection2DMetricsInterface(settings)
    metrics.add_frame(
        [{"label": "car", "box": [0, 0, 10, 10], "score": 0.8}], [{"label": "car", "box": [0, 0, 10, 10]}]
    )
    name, value = metrics.primary_metric(metrics.compute())
    assert name == "map_iou_2d" and value == pytest.approx(1.0)


def test_classification_interface_and_bad_frames():
    metrics = ClassificationMetricsInterface({"labels": ["a", "b"]})
    metrics.add_frame([{"uuid": "1", "label": "a", "score": 0.9}], [{"uuid": "1", "label": "a"}])
    metrics.add_frame([{"uuid": "2", "label": "a", "score": 0.6}], [{"uuid": "2", "label": "b"}])
    result = metrics.compute()
    assert metrics.primary_metric(result) == ("accuracy", result["total"]["accuracy"])
    assert result["per_label"]["a"]["num_tp"] == 1 and result["per_label"]["b"]["num_gt"] == 1
    metrics.add_frame([{"uuid": 3}], [])  # malformed object → one-line error from the metrics package
    with pytest.raises(DeployError):
        metrics.compute()


class Doubler(BaseRunner):
    def __init__(self):
        super().__init__("doubler")
        self.calls = 0

    def activate_impl(self):
        pass

    def infer_impl(self, feed):
        self.calls += 1
        return {"y": feed["x"] * 2}


class Samples:
    def __len__(self):
        return 5

    def get_sample(self, index):
        return {"inputs": {"x": np.array([index % 2])}, "gt": "a" if index % 2 == 0 else "b", "uuid": str(index)}


class Evaluator(BaseEvaluator):
    def __init__(self):
        super().__init__(ClassificationMetricsInterface({"labels": ["a", "b"]}))

    def parse_predictions(self, output, sample):
        return [{"uuid": sample["uuid"], "label": "a" if output["y"][0] == 0 else "b"}]

    def parse_ground_truth(self, sample):
        return [{"uuid": sample["uuid"], "label": sample["gt"]}]


@pytest.mark.parametrize("num_samples,expected", [(None, 5), (-1, 5), (3, 3), (50, 5)])
def test_evaluate_warmup_and_counts(num_samples, expected):
    runner = Doubler()
    pipeline = TensorPipeline(runner, ModelSpec(Backend.ONNX, DeviceSpec("cpu"), Artifact(Backend.ONNX, "x", "t")))
    result = Evaluator().evaluate(pipeline, Samples(), num_samples, warmup=2)
    assert runner.calls == expected + 2
    assert result["num_samples"] == expected and result["warmup"] == 2
    assert result["primary_metric"] == {"name": "accuracy", "value": 1.0}
    assert result["latency"]["total_ms"]["count"] == expected
    assert result["backend"] == "onnx" and result["device"] == "cpu"
