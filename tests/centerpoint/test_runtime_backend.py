"""The C++ CenterPointRuntime on the CPU (awml_deploy._native, ONNX Runtime engines through PythonEngine) against
the ONNX pipeline on the embedded evaluation frames, for both head conventions; its settings and engine contracts;
and the exported dims the C++ contract test reads (tests/cpp/trt_runtime/testdata/centerpoint_tiny_io.txt;
regenerate with AWML_WRITE_TESTDATA=1)."""

from __future__ import annotations

import os
import pathlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
pytest.importorskip("mmdet3d")

from default_export import load_default  # noqa: E402

from awml_deploy import _native  # noqa: E402
from awml_deploy.core.device import DeviceSpec  # noqa: E402
from awml_deploy.verification.comparator import make_comparator  # noqa: E402
from awml_deploy.verification.tolerances import Tolerances  # noqa: E402
from projects.centerpoint import export as cp_export  # noqa: E402
from projects.centerpoint.contract import HEAD_OUTPUTS  # noqa: E402
from projects.centerpoint.evaluator import compare_detections  # noqa: E402
from projects.centerpoint.model import REPO_ROOT  # noqa: E402
from projects.centerpoint.pipelines import CenterPointOnnxRunner, CenterPointPipeline  # noqa: E402
from projects.centerpoint.runtime_backend import (  # noqa: E402
    CenterPointRuntimePipeline,
    CenterPointRuntimeRunner,
    onnx_engine,
    runtime_settings,
)

NUM_FRAMES = 6
IO_FILE = REPO_ROOT / "tests/cpp/trt_runtime/testdata/centerpoint_tiny_io.txt"


def io_lines(geometry, components, out: pathlib.Path) -> list[str]:
    """The exported graphs' I/O (dims as ONNX declares them, -1 dynamic) and the derived TensorRT profile, as the
    C++ contract test (tests/cpp/trt_runtime/encoder_contract_test.cc) reads them."""
    g = geometry
    values = [*g.point_cloud_range, *g.voxel_size]
    ints = [g.point_features, g.max_points_per_pillar, g.max_pillars, int(g.use_voxel_center_z), g.encoder_channels]
    lines = ["geometry " + " ".join(f"{v:g}" for v in values) + " " + " ".join(str(v) for v in ints)]
    lines[0] += f" {g.out_size_factor} {len(g.class_names)}"
    dtypes = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT32: "int32"}
    for name in (cp_export.ENCODER, cp_export.HEAD):
        graph = onnx.load(str(out / components[name].onnx_file)).graph
        for role, values in (("input", graph.input), ("output", graph.output)):
            for v in values:
                dims = [d.dim_value if d.HasField("dim_value") else -1 for d in v.type.tensor_type.shape.dim]
                dtype = dtypes[v.type.tensor_type.elem_type]
                lines.append(f"tensor {name} {v.name} {role} {dtype} {','.join(map(str, dims))}")
        for tensor, profile in components[name].tensorrt_profile.items():
            shapes = (profile.min_shape, profile.opt_shape, profile.max_shape)
            lines.append(f"profile {name} {tensor} " + " ".join(",".join(map(str, s)) for s in shapes))
    return lines


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Model, the first embedded evaluation frames, the default config, and both exports (plain and y-axis)."""
    root = tmp_path_factory.mktemp("centerpoint_runtime")
    default = load_default(root, NUM_FRAMES)
    dirs = {}
    for rot_y in (False, True):
        dirs[rot_y] = root / f"onnx_roty_{rot_y}"
        default.export(dirs[rot_y], rot_y, single_graph=False)
    return default.model, default.samples, default.config, default.components, dirs


def _files(out: pathlib.Path) -> tuple[str, str]:
    return str(out / "pts_voxel_encoder.onnx"), str(out / "pts_backbone_neck_head.onnx")


def _pipelines(model, out):
    enc, head = _files(out)
    g, cpu = model.geometry, DeviceSpec("cpu")
    runtime = CenterPointRuntimePipeline(CenterPointRuntimeRunner(enc, head, g, cpu, 1), None, g)
    reference = CenterPointPipeline(CenterPointOnnxRunner(enc, head, g, cpu, 1), None, g)
    return reference, runtime


@pytest.mark.parametrize("rot_y", [False, True])
def test_runtime_on_cpu_reproduces_the_onnx_pipeline(setup, rot_y) -> None:
    """Heads within the fp32 verification tolerances and boxes within the box tolerances on every frame."""
    model, samples, config, _, dirs = setup
    reference, runtime = _pipelines(model, dirs[rot_y])
    compare = make_comparator(Tolerances.from_config(config.verification.tolerances["fp32"], {}))
    box_tolerances = dict(config.project["box_tolerances"])
    total_boxes = 0
    for index in range(len(samples)):
        sample = samples.get_sample(index)
        ref, test = reference.infer(sample), runtime.infer(sample)
        assert sorted(test.raw_output) == sorted(HEAD_OUTPUTS)
        nodes = compare(ref.raw_output, test.raw_output)
        nodes.update(compare_detections(ref.output, test.output, box_tolerances, model.geometry.score_threshold))
        failures = [f"{path}: {node.reason}" for path, node in nodes.items() if not node.passed]
        assert not failures, f"frame {index}: {failures}"
        assert len(test.output["boxes"]) == len(ref.output["boxes"])
        total_boxes += len(test.output["boxes"])
    assert total_boxes > 50  # the frames have real detections to compare


def test_y_axis_head_needs_the_layout_flag(setup) -> None:
    """The same y-axis engines decoded as if mmdet3d's layout give other boxes: the flag is what makes them right."""
    model, samples, _, _, dirs = setup
    enc, head = _files(dirs[True])
    points = np.ascontiguousarray(samples.get_sample(0)["points"][:, :4], np.float32)
    boxes = {}
    for flag in (True, False):
        settings = runtime_settings(model.geometry, flag)
        runtime = _native.CenterPointRuntime(settings, [onnx_engine(enc, 1), onnx_engine(head, 1)], "cpu")
        boxes[flag] = runtime.detect(points)["boxes"]
    right, wrong = boxes[True], boxes[False]
    assert len(right) > 0
    n = min(len(right), len(wrong))
    assert not np.allclose(right[:n, 3:7], wrong[:n, 3:7], atol=1e-3)


def test_settings_keys_are_the_bindings(setup) -> None:
    """A key the binding does not know, or one it needs, is an error naming it (no silent default)."""
    model, _, _, _, dirs = setup
    engines = [onnx_engine(p, 1) for p in _files(dirs[False])]
    settings = runtime_settings(model.geometry, False)
    with pytest.raises(_native.RuntimeBindingError, match=r"missing \[\], unknown \[circle_nms_squared_radius\]"):
        _native.CenterPointRuntime({**settings, "circle_nms_squared_radius": 1.0}, engines, "cpu")
    without = {k: v for k, v in settings.items() if k != "num_point_features"}
    with pytest.raises(_native.RuntimeBindingError, match=r"missing \[num_point_features\]"):
        _native.CenterPointRuntime(without, engines, "cpu")
    with pytest.raises(_native.RuntimeBindingError, match="'score_thresholds' needs 5 values"):
        _native.CenterPointRuntime({**settings, "score_thresholds": [0.1]}, engines, "cpu")


def test_engine_contract_is_checked_at_create(setup, tmp_path) -> None:
    """A head without `vel` or an encoder with other channels is rejected by the runtime's I/O validation."""
    model, _, _, _, dirs = setup
    enc, head = _files(dirs[False])
    broken = onnx.load(head)
    kept = [o for o in broken.graph.output if o.name != "vel"]
    del broken.graph.output[:]
    broken.graph.output.extend(kept)
    onnx.save(broken, str(tmp_path / "head.onnx"))
    settings = runtime_settings(model.geometry, False)
    with pytest.raises(_native.RuntimeBindingError, match=r"head: engine io \| .*missing in engine: \[vel\]"):
        _native.CenterPointRuntime(settings, [onnx_engine(enc, 1), onnx_engine(str(tmp_path / "head.onnx"), 1)])
    wrong = {**settings, "encoder_channels": 16}
    with pytest.raises(_native.RuntimeBindingError, match=r"encoder: engine io \|.*tensor 'pillar_features' \| dims"):
        _native.CenterPointRuntime(wrong, [onnx_engine(enc, 1), onnx_engine(head, 1)])


def test_python_engine_output_of_the_wrong_shape_fails_the_frame(setup) -> None:
    """The PythonEngine checks every returned output against its declared dims before copying it."""
    model, samples, _, _, dirs = setup
    enc, head = _files(dirs[False])
    real = onnx_engine(enc, 1)
    io = {
        "inputs": [{"name": "input_features", "dtype": "float32", "shape": [-1, 32, 10]}],
        "outputs": [{"name": "pillar_features", "dtype": "float32", "shape": [-1, 1, 32]}],
    }
    short = _native.PythonEngine(lambda feed: {"pillar_features": np.zeros((1, 1, 32), np.float32)}, io)
    runtime = _native.CenterPointRuntime(runtime_settings(model.geometry, False), [short, onnx_engine(head, 1)])
    points = np.ascontiguousarray(samples.get_sample(0)["points"][:, :4], np.float32)
    with pytest.raises(_native.RuntimeBindingError, match=r"output 'pillar_features'. Note: expected a float32 array"):
        runtime.detect(points)
    assert real.input_names == ["input_features"] and real.output_names == ["pillar_features"]


def test_cpp_contract_testdata_matches_the_export(setup) -> None:
    """The dims file the TensorRT-free C++ contract test validates is what the exporter writes today."""
    model, _, _, components, dirs = setup
    lines = io_lines(model.geometry, components, dirs[False])
    if os.environ.get("AWML_WRITE_TESTDATA") == "1":  # regenerate after a deliberate contract change
        IO_FILE.write_text("\n".join(lines) + "\n")
    assert IO_FILE.read_text().splitlines() == lines
