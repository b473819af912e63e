"""The TensorRT path with a stand-in `_native` (ONNX Runtime behind the native API): export, verify, evaluate."""

import json
import shutil
import sys
import types

import pytest
import tiny_project

import awml_deploy
from awml_deploy.cli.main import main
from awml_deploy.core.native import tensorrt_availability
from awml_deploy.runtime import register_project


@pytest.fixture()
def fake_native(monkeypatch):
    calls = {"build": [], "runner": []}

    def build_engine(
        onnx_path,
        plan_path,
        precision,
        io_spec,
        workspace_bytes,
        timing_cache_path,
        device_index,
        builder_optimization_level,
        plugin_libraries=(),
    ):
        calls["build"].append(
            dict(
                plugin_libraries=list(plugin_libraries),
                onnx_path=onnx_path,
                precision=precision,
                io_spec=io_spec,
                workspace_bytes=workspace_bytes,
                timing_cache_path=timing_cache_path,
                device_index=device_index,
                builder_optimization_level=builder_optimization_level,
            )
        )
        shutil.copyfile(onnx_path, plan_path)  # the stand-in "plan" is the ONNX file
        return {"plan_path": plan_path, "reused": False, "mechanism": "test", "tensorrt_version": "0.0"}

    class TrtRunner:
        def __init__(self, plan_path, io_spec):
            import onnxruntime

            calls["runner"].append(io_spec)
            self.session = onnxruntime.InferenceSession(plan_path, providers=["CPUExecutionProvider"])

        def infer(self, inputs):
            names = [o.name for o in self.session.get_outputs()]
            return dict(zip(names, self.session.run(names, inputs), strict=True))

    module = types.ModuleType("awml_deploy._native")
    module.TENSORRT_AVAILABLE = True
    module.build_engine = build_engine
    module.tensorrt_version = lambda: "10.8.0"  # a builder-flag FP16 version: the FP32 ONNX is built as is
    module.precision_recipe = lambda policy, major, minor: {"requires_fp16_onnx": (major, minor) >= (10, 12)}
    module.TrtRunner = TrtRunner
    monkeypatch.setitem(sys.modules, "awml_deploy._native", module)
    monkeypatch.setattr(awml_deploy, "_native", module, raising=False)
    tensorrt_availability.cache_clear()
    yield calls
    tensorrt_availability.cache_clear()


@pytest.fixture()
def config_path(tmp_path):
    register_project("tiny_cnn", "tiny_project")
    tiny_project.save_checkpoint(str(tmp_path / "tiny.pth"))
    raw = tiny_project.config_dict(str(tmp_path / "work"), str(tmp_path / "tiny.pth"))
    io = raw["components"]["model"]["io"]
    io["outputs"] = [{"name": "logits", "shape": [-1, 3]}, {"name": "features", "shape": [-1, 16, 8, 8]}]
    raw["tensorrt_config"] = {"precision_policy": "fp16", "timing_cache": "timing.cache"}
    tensorrt_vs_torch = {
        "ref_backend": "pytorch",
        "ref_device": "cpu",
        "test_backend": "tensorrt",
        "test_device": "cuda",
    }
    raw["verification"]["scenarios"] = {"both": [tensorrt_vs_torch], "trt": [tensorrt_vs_torch]}
    raw["evaluation"]["backends"]["tensorrt"] = {"enabled": True, "device": "cuda"}
    path = tmp_path / "deploy.json"
    path.write_text(json.dumps(raw))
    return path


def _report(tmp_path):
    run_dir = sorted((tmp_path / "work" / "runs").iterdir())[-1]
    return json.loads((run_dir / "report.json").read_text())


def test_both_with_tensorrt(fake_native, config_path):
    tmp_path = config_path.parent
    assert main(["tiny_cnn", str(config_path), "--mode", "both"]) == 0
    build = fake_native["build"][0]
    assert build["precision"] == "fp16" and build["onnx_path"].endswith("onnx/tiny_cnn.onnx")
    assert build["timing_cache_path"] == str(tmp_path / "work" / "tensorrt" / "timing.cache")
    assert build["device_index"] == 0 and build["builder_optimization_level"] == -1
    assert build["io_spec"]["inputs"] == [{"name": "image", "dtype": "float32", "shape": [-1, 3, 16, 16]}]
    assert build["io_spec"]["profiles"] == [
        {"image": {"min": [1, 3, 16, 16], "opt": [1, 3, 16, 16], "max": [4, 3, 16, 16]}}
    ]
    report = _report(tmp_path)
    assert report["export"]["tensorrt"]["status"] == "passed"
    assert report["export"]["tensorrt"]["engines"][0]["component"] == "model"
    assert (tmp_path / "work" / "tensorrt" / "model.engine").is_file()
    scenario = report["verification"]["pytorch_cpu_vs_tensorrt_cuda0"]
    assert scenario["status"] == "passed" and scenario["precision"] == "fp16"
    assert scenario["tolerances"]["atol"][""] == 2e-2
    assert report["evaluation"]["tensorrt"]["status"] == "passed"
    assert "tensorrt" in report["deltas"]


def test_trt_mode_rebuilds_from_given_onnx(fake_native, config_path):
    tmp_path = config_path.parent
    assert main(["tiny_cnn", str(config_path), "--mode", "onnx", "--cfg-options", "evaluation.enabled=false"]) == 0
    onnx_dir = tmp_path / "work" / "onnx"
    assert main(["tiny_cnn", str(config_path), "--mode", "trt", "--cfg-options", f"export.onnx_path={onnx_dir}"]) == 0
    report = _report(tmp_path)
    assert report["artifacts"]["onnx"]["source"] == "fallback"
    assert report["export"]["onnx"]["status"] == "skipped"
    assert [g["name"] for g in report["gates"]][:2] == ["export.tensorrt", "verification.pytorch_cpu_vs_tensorrt_cuda0"]


def test_tensorrt_needs_declared_shapes(fake_native, config_path, capsys):
    raw = json.loads(config_path.read_text())
    raw["components"]["model"]["io"]["outputs"][1].pop("shape")
    config_path.write_text(json.dumps(raw))
    assert main(["tiny_cnn", str(config_path), "--mode", "both"]) == 2
    assert "components.model.io.outputs[1].shape | TensorRT needs every tensor's shape" in capsys.readouterr().err
