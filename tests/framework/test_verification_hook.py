"""`VerificationMixin.extra_nodes` and `verification_raw_only`: a bundle adds comparisons without copying `verify`."""

from __future__ import annotations

import numpy as np

from awml_deploy.core.artifacts import Artifact
from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.enums import Backend
from awml_deploy.pipelines.base import BaseInferencePipeline, ModelSpec
from awml_deploy.pipelines.runner import BaseRunner
from awml_deploy.verification.comparator import NodeResult, make_comparator
from awml_deploy.verification.mixin import VerificationMixin


class _ScaleRunner(BaseRunner):
    def __init__(self, scale: float) -> None:
        super().__init__("scale")
        self.scale = scale

    def activate_impl(self) -> None:
        pass

    def infer_impl(self, feed):
        return {"y": np.asarray(feed["x"], dtype=np.float32) * self.scale}

    def deactivate_impl(self) -> None:
        pass


class _Pipeline(BaseInferencePipeline):
    """Raw output ``y = scale * x``; the postprocessed output is ``round(y)`` (so 1.0 and 1.01 agree after it)."""

    def preprocess(self, sample):
        return {"x": sample["x"]}, {}

    def postprocess(self, raw_output, metadata):
        return {"rounded": np.round(raw_output["y"])}


class _Samples:
    def __len__(self) -> int:
        return 3

    def get_sample(self, index: int) -> dict:
        return {"x": np.full(4, float(index + 1), dtype=np.float32)}


def _pipeline(scale: float) -> _Pipeline:
    spec = ModelSpec(Backend.ONNX, DeviceSpec.parse("cpu"), Artifact(Backend.ONNX, "/dev/null", "test", ()))
    return _Pipeline(_ScaleRunner(scale), spec)


class _RoundedCheck(VerificationMixin):
    """Adds a comparison of the postprocessed outputs, which needs ``verification_raw_only = False``."""

    verification_raw_only = False

    def extra_nodes(self, ref_result, test_result):
        same = bool(np.array_equal(ref_result.output["rounded"], test_result.output["rounded"]))
        return {"rounded": NodeResult("rounded", same, "" if same else "rounded outputs differ")}


def _verify(verifier: VerificationMixin, test_scale: float):
    compare = make_comparator()
    return verifier.verify("a_vs_b", _pipeline(1.0), _pipeline(test_scale), _Samples(), 3, compare)


def test_default_compares_raw_outputs_only() -> None:
    result = _verify(VerificationMixin(), 1.0)
    assert result.status == "passed"
    assert all(set(s.nodes) == {"y"} for s in result.samples)


def test_extra_nodes_are_added_to_every_sample_and_can_fail_the_scenario() -> None:
    passing = _verify(_RoundedCheck(), 1.0)
    assert passing.status == "passed"
    assert all(set(s.nodes) == {"y", "rounded"} for s in passing.samples)
    # 1.6x: raw outputs differ and so do the rounded ones; the extra node fails on its own too.
    failing = _verify(_RoundedCheck(), 1.6)
    assert failing.status == "failed"
    assert all(not s.nodes["rounded"].passed for s in failing.samples[1:])


def test_extra_node_alone_fails_a_scenario_whose_raw_outputs_agree() -> None:
    class _AlwaysDiffers(_RoundedCheck):
        def extra_nodes(self, ref_result, test_result):
            return {"boxes": NodeResult("boxes", False, "boxes differ")}

    result = _verify(_AlwaysDiffers(), 1.0)
    assert result.status == "failed"
    assert "boxes: boxes differ" in result.reason
    assert all(s.nodes["y"].passed for s in result.samples)


def test_raw_only_switch_reaches_the_pipelines() -> None:
    seen = []

    class _Spy(VerificationMixin):
        def extra_nodes(self, ref_result, test_result):
            seen.append((ref_result.output, test_result.output))
            return {}

    _verify(_Spy(), 1.0)
    assert seen and all(r is None and t is None for r, t in seen)
    seen.clear()
    _Spy.verification_raw_only = False
    _verify(_Spy(), 1.0)
    assert seen and all(r is not None and t is not None for r, t in seen)
