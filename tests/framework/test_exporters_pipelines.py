"""ONNX exporter, multi-component export pipelines, ONNX Runtime/TensorRT runners, pipeline timing and registry."""

import numpy as np
import onnx
import pytest
import torch

from awml_deploy.config import parse_config
from awml_deploy.config.sections import OnnxConfig
from awml_deploy.core import Backend, DeployError, DeviceSpec
from awml_deploy.core.artifacts import Artifact
from awml_deploy.core.native import require_tensorrt, tensorrt_availability
from awml_deploy.exporters import (
    ExportableComponent,
    ExportPipeline,
    ModelComponentBuilder,
    OnnxExporter,
    read_metadata,
)
from awml_deploy.pipelines import BaseRunner, ModelSpec, PipelineRegistry, TensorPipeline
from awml_deploy.pipelines.onnxruntime_backend import OnnxRuntimeRunner, OnnxSessionFromPath, providers_for
from awml_deploy.pipelines.tensorrt_backend import TensorRTRunner
from awml_deploy.verification import Tolerances, compare_tree


class TwoStage(torch.nn.Module):
    """A model exported as two graphs, like CenterPoint's encoder + head."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.encoder = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU())
        self.head = torch.nn.Conv1d(8, 2, 1)

    def forward(self, points):
        return self.head(self.encoder(points).transpose(1, 2))


CONFIG = parse_config(
    {
        "components": {
            "encoder": {
                "onnx_file": "enc.onnx",
                "io": {
                    "inputs": [{"name": "points", "shape": [1, -1, 4]}],
                    "outputs": ["features"],
                    "dynamic_axes": {"points": {1: "n"}, "features": {1: "n"}},
                },
            },
            "head": {
                "onnx_file": "head.onnx",
                "io": {
                    "inputs": ["canvas"],
                    "outputs": ["scores"],
                    "dynamic_axes": {"canvas": {2: "n"}, "scores": {2: "n"}},
                },
            },
        }
    }
)


class TwoStageBuilder(ModelComponentBuilder):
    def build_components(self, model, sample):
        points = torch.as_tensor(sample["inputs"]["points"])
        canvas = model.encoder(points).transpose(1, 2).detach()
        return [
            ExportableComponent("encoder", model.encoder, (points,)),
            ExportableComponent("head", model.head, (canvas,)),
        ]


class Samples:
    def __len__(self):
        return 2

    def get_sample(self, index):
        return {
            "inputs": {"points": np.random.default_rng(index).standard_normal((1, 5 + index, 4)).astype(np.float32)}
        }


def test_two_components_through_one_code_path(tmp_path):
    model = TwoStage().eval()
    infos = ExportPipeline(TwoStageBuilder()).export_onnx(
        model,
        Samples(),
        0,
        CONFIG.components,
        CONFIG.onnx_config,
        tmp_path,
        {"producer": "awml-deploy", "config_hash": "h"},
    )
    assert [i.component for i in infos] == ["encoder", "head"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["enc.onnx", "head.onnx"]
    meta = read_metadata(tmp_path / "enc.onnx")
    assert meta["producer"] == "awml-deploy" and meta["component"] == "encoder" and meta["config_hash"] == "h"
    assert '"points"' in meta["io"] and meta["dynamo"] == "false"
    onnx.checker.check_model(str(tmp_path / "head.onnx"))
    points = Samples().get_sample(1)["inputs"]["points"]  # another length: dynamic axis works
    enc = OnnxRuntimeRunner(OnnxSessionFromPath(str(tmp_path / "enc.onnx")))
    head = OnnxRuntimeRunner(OnnxSessionFromPath(str(tmp_path / "head.onnx")))
    with enc, head:
        features = enc.infer({"points": points})["features"]
        scores = head.infer({"canvas": features.transpose(0, 2, 1)})["scores"]
    with torch.no_grad():
        expected = model(torch.from_numpy(points)).numpy()
    assert compare_tree(expected, scores, Tolerances(1e-5, 1e-4)).passed


def test_builder_must_produce_configured_components(tmp_path):
    class OnlyEncoder(TwoStageBuilder):
        def build_components(self, model, sample):
            return super().build_components(model, sample)[:1]

    with pytest.raises(DeployError, match=r"produced \['encoder'\]. Note: expected exactly \['encoder', 'head'\]"):
        ExportPipeline(OnlyEncoder()).export_onnx(
            TwoStage(), Samples(), 0, CONFIG.components, CONFIG.onnx_config, tmp_path
        )


def test_sample_index_out_of_range(tmp_path):
    with pytest.raises(DeployError, match="runtime_io.sample_idx"):
        ExportPipeline(TwoStageBuilder()).export_onnx(
            TwoStage(), Samples(), 5, CONFIG.components, CONFIG.onnx_config, tmp_path
        )


def test_declared_io_mismatch_is_a_config_error(tmp_path):
    class TwoOutputs(torch.nn.Module):
        def forward(self, x):
            return x + 1, x * 2

    config = parse_config({"components": {"encoder": {"io": {"inputs": ["points"], "outputs": ["only_one"]}}}})
    with pytest.raises(DeployError, match=r"components.encoder.io.outputs \| exported graph differs") as info:
        OnnxExporter(OnnxConfig()).export(
            TwoOutputs(), (torch.zeros(1, 3, 4),), config.components["encoder"], tmp_path / "e.onnx"
        )
    assert info.value.exit_code == 2
    assert not (tmp_path / "e.onnx").exists() and list(tmp_path.iterdir()) == []  # atomic: nothing left behind


def test_dtype_mismatch_detected(tmp_path):
    config = parse_config(
        {"components": {"m": {"io": {"inputs": [{"name": "x", "dtype": "float16"}], "outputs": ["y"]}}}}
    )
    with pytest.raises(DeployError, match="exported graph differs"):
        OnnxExporter(OnnxConfig()).export(
            torch.nn.ReLU(), (torch.zeros(2),), config.components["m"], tmp_path / "m.onnx"
        )


def test_export_failure_is_a_run_failure(tmp_path):
    class Broken(torch.nn.Module):
        def forward(self, x):
            raise RuntimeError("boom")

    config = parse_config({"components": {"m": {"io": {"inputs": ["x"], "outputs": ["y"]}}}})
    with pytest.raises(DeployError, match="torch.onnx.export failed") as info:
        OnnxExporter(OnnxConfig()).export(Broken(), (torch.zeros(2),), config.components["m"], tmp_path / "m.onnx")
    assert info.value.exit_code == 1


def test_dynamo_exporter_and_simplify_without_tools(tmp_path):
    config = parse_config({"components": {"m": {"io": {"inputs": ["x"], "outputs": ["y"]}}}})
    info = OnnxExporter(OnnxConfig(dynamo=True, simplify=True)).export(
        torch.nn.Sequential(torch.nn.Linear(3, 2)), (torch.ones(1, 3),), config.components["m"], tmp_path / "m.onnx"
    )
    assert info.dynamo and read_metadata(info.path)["dynamo"] == "true"
    assert info.simplified in ("onnxslim", "onnxsim") or info.simplified.startswith("skipped")
    assert not (tmp_path / "m.onnx.data").exists()


def test_cuda_provider_missing_is_an_error():
    assert providers_for(DeviceSpec("cpu"), ["CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    with pytest.raises(DeployError, match="CUDAExecutionProvider is not available \\(no silent CPU fallback\\)"):
        providers_for(DeviceSpec("cuda", 1), ["CPUExecutionProvider"])
    assert providers_for(DeviceSpec("cuda", 1), ["CUDAExecutionProvider"]) == [
        ("CUDAExecutionProvider", {"device_id": 1})
    ]


def test_tensorrt_unavailable_is_reported():
    status = tensorrt_availability()
    assert not status.available and status.reason == "TensorRT not installed"
    with pytest.raises(DeployError, match="tensorrt is unavailable: TensorRT not installed") as info:
        require_tensorrt("export.mode=trt")
    assert info.value.exit_code == 2
    with pytest.raises(DeployError, match="TensorRT not installed"):
        TensorRTRunner("x.engine", {}, DeviceSpec("cuda")).activate()


class CountingRunner(BaseRunner):
    def __init__(self):
        super().__init__("counting")
        self.syncs = 0
        self.activations = 0

    def activate_impl(self):
        self.activations += 1

    def infer_impl(self, feed):
        return {"y": feed["x"] * 2}

    def synchronize(self):
        self.syncs += 1


def _spec():
    return ModelSpec(Backend.ONNX, DeviceSpec("cpu"), Artifact(Backend.ONNX, "x", "test"))


def test_pipeline_times_each_stage_with_sync_and_does_not_mutate_sample():
    runner = CountingRunner()
    pipeline = TensorPipeline(runner, _spec())
    sample = {"inputs": {"x": np.ones(2)}, "meta": {"k": 1}}
    result = pipeline.infer(sample)
    assert set(result.latency_ms) == {"preprocess_ms", "model_ms", "postprocess_ms", "total_ms"}
    assert runner.syncs == 4 and runner.activations == 1
    assert result.latency_ms["total_ms"] >= result.latency_ms["model_ms"] >= 0
    np.testing.assert_array_equal(result.output["y"], [2, 2])
    raw = pipeline.infer(sample, raw_only=True)
    assert raw.output is None and "postprocess_ms" not in raw.latency_ms and runner.activations == 1
    assert sample == {"inputs": {"x": sample["inputs"]["x"]}, "meta": {"k": 1}}
    pipeline.close()
    assert not runner.is_active
    with pytest.raises(DeployError, match="infer\\(\\) before activate"):
        runner.infer({"x": 1})


def test_registry_prefers_project_builder():
    registry = PipelineRegistry()
    registry.register(Backend.ONNX, lambda spec, ctx: "generic")
    registry.register(Backend.ONNX, lambda spec, ctx: "project", project="centerpoint")
    assert registry.get(Backend.ONNX, "centerpoint")(None, None) == "project"
    assert registry.get(Backend.ONNX, "yolox")(None, None) == "generic"
    with pytest.raises(DeployError, match="no pipeline for \\*:tensorrt"):
        registry.get(Backend.TENSORRT)
