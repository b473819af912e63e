"""Framework segmentation pieces: logits → labels, SegmentationPipeline, label-agreement gate, metrics interface."""

import numpy as np
import pytest

from awml_deploy.core.artifacts import Artifact
from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.enums import Backend
from awml_deploy.core.errors import DeployError
from awml_deploy.evaluation import SegmentationEvaluator, SegmentationMetricsInterface
from awml_deploy.pipelines.base import ModelSpec
from awml_deploy.pipelines.runner import BaseRunner
from awml_deploy.pipelines.segmentation import SegmentationPipeline, logits_to_labels
from awml_deploy.verification import make_comparator
from awml_deploy.verification.agreement import AgreementCounter, label_agreement
from awml_deploy.verification.results import FAILED, PASSED, ScenarioResult

LABELS = ("ground", "car", "other")


def spec(backend=Backend.ONNX):
    return ModelSpec(backend, DeviceSpec("cpu"), Artifact(backend, "x", "test"))


class TableRunner(BaseRunner):
    """Returns logits scaled by ``scale`` (so two runners can disagree on purpose)."""

    def __init__(self, logits, flip=None):
        super().__init__("table")
        self.logits = logits
        self.flip = flip

    def activate_impl(self):
        pass

    def infer_impl(self, feed):
        out = self.logits[feed["index"]].copy()
        if self.flip is not None:
            out[self.flip] = out[self.flip][..., ::-1]
        return {"logits": out}


class Pipeline(SegmentationPipeline):
    def preprocess(self, sample):
        return {"index": sample["index"]}, {"num_elements": sample.get("num_elements")}


class Samples:
    def __init__(self, logits):
        self.logits = logits

    def __len__(self):
        return len(self.logits)

    def get_sample(self, index):
        return {"index": index, "gt_labels": self.logits[index].argmax(-1)}


def test_logits_to_labels_per_point_and_per_pixel():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(50, 3)).astype(np.float32)
    labels, scores = logits_to_labels(points)
    probs = np.exp(points) / np.exp(points).sum(-1, keepdims=True)
    np.testing.assert_array_equal(labels, probs.argmax(-1))
    np.testing.assert_allclose(scores, probs.max(-1), rtol=1e-6)
    pixels = rng.normal(size=(2, 3, 4, 5))  # (B, K, H, W)
    labels, scores = logits_to_labels(pixels, class_axis=1)
    assert labels.shape == (2, 4, 5) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, pixels.argmax(1))
    big = np.array([[1000.0, 0.0, -1000.0]])  # no overflow
    assert logits_to_labels(big)[1][0] == pytest.approx(1.0)


def test_pipeline_postprocess_and_checks():
    logits = [np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0]], np.float32)]
    pipeline = Pipeline(TableRunner(logits), spec(), LABELS)
    out = pipeline.infer({"index": 0, "num_elements": 2}).output
    assert out["labels"].tolist() == [0, 2] and out["logits"].shape == (2, 3)
    with pytest.raises(DeployError, match="wrong element count"):
        pipeline.infer({"index": 0, "num_elements": 3})
    with pytest.raises(DeployError, match="wrong class count. Note: expected 4 classes on axis -1"):
        Pipeline(TableRunner(logits), spec(), LABELS + ("bus",)).infer({"index": 0})
    with pytest.raises(DeployError, match="no logits output"):
        Pipeline(TableRunner(logits), spec(), LABELS, logits_name="scores").infer({"index": 0})


def test_label_agreement_counts_and_gate():
    ref = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    test = ref.copy()
    test[3] = [1.0, 0.0]
    assert label_agreement(ref, test) == (3, 4)
    with pytest.raises(DeployError, match="logit shapes differ"):
        label_agreement(ref, test[:3])
    counter = AgreementCounter(0.9, "points")
    counter.add(ref, test)
    gated = counter.gate(ScenarioResult("k", PASSED))
    assert gated.status == FAILED and gated.reason == "label agreement 0.750000 (3/4 points, gate >= 0.9)"
    assert AgreementCounter(0.75).gate(ScenarioResult("k", PASSED)).status == PASSED  # nothing counted
    ok = AgreementCounter(0.75)
    ok.add(ref, test)
    assert ok.gate(ScenarioResult("k", PASSED)).status == PASSED
    with pytest.raises(DeployError, match="label agreement gate | out of range"):
        AgreementCounter(1.5)


def test_evaluator_scores_miou_and_gates_verification_on_agreement():
    rng = np.random.default_rng(1)
    logits = [rng.normal(size=(200, 3)).astype(np.float32) for _ in range(3)]
    samples = Samples(logits)
    evaluator = SegmentationEvaluator(LABELS, min_label_agreement=0.99)
    result = evaluator.evaluate(Pipeline(TableRunner(logits), spec(), LABELS), samples)
    assert result["primary_metric"] == {"name": "miou", "value": 1.0}
    assert result["metrics"]["confusion_matrix"]["labels"] == list(LABELS)
    same = evaluator.verify(
        "a",
        Pipeline(TableRunner(logits), spec(Backend.PYTORCH), LABELS),
        Pipeline(TableRunner(logits), spec(), LABELS),
        samples,
        3,
        make_comparator(),
    )
    assert same.status == PASSED and same.reason.startswith("label agreement 1.000000 (600/600 points")
    # Swapping logits on 10 of 600 points: the logit comparison fails and so does the 0.99 agreement gate.
    flipped = TableRunner(logits, flip=slice(0, 10))
    differ = evaluator.verify(
        "b",
        Pipeline(TableRunner(logits), spec(Backend.PYTORCH), LABELS),
        Pipeline(flipped, spec(), LABELS),
        samples,
        3,
        make_comparator(),
    )
    assert differ.status == FAILED and "label agreement" in differ.reason


def test_metrics_interface_collects_label_arrays():
    interface = SegmentationMetricsInterface({"labels": list(LABELS), "ignore_index": 255})
    interface.add_frame(np.array([[0, 1], [2, 2]]), np.array([[0, 1], [255, 1]]))
    interface.add_frame([1], [1])
    result = interface.compute()
    assert result["num_points"] == 4 and result["num_ignored"] == 1
    assert result["confusion_matrix"]["counts"] == [[1, 0, 0], [0, 2, 1], [0, 0, 0]]
    name, value = interface.primary_metric(result)
    assert name == "miou" and value == pytest.approx((1.0 + 2 / 3 + 0.0) / 3)
    interface.reset()
    assert interface.frames == []
