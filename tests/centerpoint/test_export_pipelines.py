"""CenterPoint export and pipelines on the embedded checkpoint and the first demo frames: Autoware's two graphs
(names, shapes, metadata, profiles), per-component ONNX Runtime vs PyTorch, the y-axis head, the ROS parameter
file, the single graph with the scatter plugin node, and the ONNX pipeline (C++ kernels) vs mmdet3d's boxes."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
pytest.importorskip("mmdet3d")

from default_export import CHECKPOINT, load_default  # noqa: E402

from awml_deploy.core.artifacts import Artifact  # noqa: E402
from awml_deploy.core.device import DeviceSpec  # noqa: E402
from awml_deploy.core.enums import Backend  # noqa: E402
from awml_deploy.exporters.onnx import read_metadata  # noqa: E402
from awml_deploy.pipelines.base import ModelSpec  # noqa: E402
from awml_deploy.pipelines.factory import PipelineContext, PipelineFactory  # noqa: E402
from projects.centerpoint import export as cp_export  # noqa: E402
from projects.centerpoint.autoware import MODEL_PARAM_FILE  # noqa: E402
from projects.centerpoint.backends import make_registry  # noqa: E402
from projects.centerpoint.evaluator import compare_detections  # noqa: E402
from projects.centerpoint.pipelines import decorate, from_y_axis  # noqa: E402

NUM_FRAMES = 3


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Model, three demo frames, the default config's components, and both exports (plain and y-axis)."""
    root = tmp_path_factory.mktemp("centerpoint")
    default = load_default(root, NUM_FRAMES)
    dirs = {}
    for rot_y in (False, True):
        out = root / f"onnx_roty_{rot_y}"
        dirs[rot_y] = (out, default.export(out, rot_y, single_graph=not rot_y))
    return default.model, default.samples, default.components, dirs


def _session(path: pathlib.Path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def test_two_graphs_have_autowares_names_shapes_and_metadata(setup) -> None:
    model, _, components, dirs = setup
    out, infos = dirs[False]
    g = model.geometry
    assert [i.component for i in infos] == ["pts_voxel_encoder", "pts_backbone_neck_head"]
    enc = onnx.load(str(out / "pts_voxel_encoder.onnx"))
    head = onnx.load(str(out / "pts_backbone_neck_head.onnx"))

    def dims(value):
        return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]

    assert [i.name for i in enc.graph.input] == ["input_features"]
    assert dims(enc.graph.input[0]) == ["num_voxels", 32, 10]
    assert [o.name for o in enc.graph.output] == ["pillar_features"]
    assert dims(enc.graph.output[0]) == ["num_voxels", 1, 32]
    assert [i.name for i in head.graph.input] == ["spatial_features"]
    assert dims(head.graph.input[0]) == [1, 32, 224, 224]
    assert [o.name for o in head.graph.output] == ["heatmap", "reg", "height", "dim", "rot", "vel"]
    assert [dims(o)[1] for o in head.graph.output] == [5, 2, 1, 3, 2, 2]
    assert all(dims(o)[2:] == [56, 56] for o in head.graph.output)
    meta = read_metadata(out / "pts_backbone_neck_head.onnx")
    assert meta["component"] == "pts_backbone_neck_head" and meta["producer"] == "test"
    assert meta["rot_y_axis_reference"] == "false"
    assert meta["class_names"] == ",".join(g.class_names)
    assert meta["voxel_size"] == "0.4,0.4,6"
    assert json.loads(meta["io"])["inputs"][0]["shape"] == [1, 32, 224, 224]


def test_profiles_are_derived_from_the_model_config(setup) -> None:
    model, _, components, _ = setup
    enc = components["pts_voxel_encoder"].tensorrt_profile["input_features"]
    assert (enc.min_shape, enc.opt_shape, enc.max_shape) == ((1, 32, 10), (10000, 32, 10), (20000, 32, 10))
    head = components["pts_backbone_neck_head"].tensorrt_profile["spatial_features"]
    assert head.min_shape == head.max_shape == (1, 32, 224, 224)
    assert model.geometry.max_pillars == 20000


def test_each_component_matches_pytorch_in_onnxruntime(setup) -> None:
    model, samples, _, dirs = setup
    out, _ = dirs[False]
    encoder, head = cp_export.build_modules(model, False)
    enc_sess, head_sess = _session(out / "pts_voxel_encoder.onnx"), _session(out / "pts_backbone_neck_head.onnx")
    for index in range(NUM_FRAMES):
        pillars = decorate(samples.get_sample(index)["points"], model.geometry)
        with torch.no_grad():
            ref = encoder(torch.from_numpy(pillars.features)).numpy()
        (got,) = enc_sess.run(None, {"input_features": pillars.features})
        assert got.shape == ref.shape == (len(pillars.coords), 1, 32)
        np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)
        canvas = np.zeros((1, 32, 224, 224), np.float32)
        canvas[0, :, pillars.coords[:, 1], pillars.coords[:, 2]] = ref[:, 0]  # advanced indices first: [P, C]
        with torch.no_grad():
            ref_heads = [t.numpy() for t in head(torch.from_numpy(canvas))]
        for name, a, b in zip(
            cp_export.CONTRACT["pts_backbone_neck_head"][1],
            head_sess.run(None, {"spatial_features": canvas}),
            ref_heads,
            strict=True,
        ):
            np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4, err_msg=name)


def test_rot_y_axis_head_is_autowares_convention_and_reversible(setup) -> None:
    _, _, _, dirs = setup
    plain, rot_y = dirs[False][0], dirs[True][0]
    assert read_metadata(rot_y / "pts_backbone_neck_head.onnx")["rot_y_axis_reference"] == "true"
    canvas = np.random.default_rng(0).normal(size=(1, 32, 224, 224)).astype(np.float32)
    names = cp_export.CONTRACT["pts_backbone_neck_head"][1]
    a = dict(
        zip(names, _session(plain / "pts_backbone_neck_head.onnx").run(None, {"spatial_features": canvas}), strict=True)
    )
    b = dict(
        zip(names, _session(rot_y / "pts_backbone_neck_head.onnx").run(None, {"spatial_features": canvas}), strict=True)
    )
    np.testing.assert_allclose(b["dim"], a["dim"][:, [1, 0, 2]], atol=1e-5)  # (w, l, h)
    np.testing.assert_allclose(b["rot"][:, 0], -a["rot"][:, 1], atol=1e-5)  # -cos
    np.testing.assert_allclose(b["rot"][:, 1], -a["rot"][:, 0], atol=1e-5)  # -sin
    back = from_y_axis(b)
    for name in names:
        np.testing.assert_allclose(back[name], a[name], atol=1e-5, err_msg=name)


def test_ros_parameter_file_and_single_graph(setup) -> None:
    yaml = pytest.importorskip("yaml")
    _, _, _, dirs = setup
    out = dirs[False][0]
    params = yaml.safe_load((out / MODEL_PARAM_FILE).read_text())["/**"]["ros__parameters"]
    assert params["model_params"]["class_names"] == ["CAR", "TRUCK", "BUS", "BICYCLE", "PEDESTRIAN"]
    assert params["model_params"]["point_cloud_range"] == [-44.8, -44.8, -2.0, 44.8, 44.8, 4.0]
    assert params["model_params"]["voxel_size"] == [0.4, 0.4, 6.0]
    assert params["model_params"]["encoder_in_feature_size"] == 10
    assert params["model_params"]["max_voxel_size"] == 20000
    assert params["model_params"]["downsample_factor"] == 4
    post = yaml.safe_load((out / "centerpoint.param.yaml").read_text())["/**"]["ros__parameters"]
    assert "post_process_params" not in params  # the node reads them from centerpoint.param.yaml
    assert post["post_process_params"]["score_threshold"] == pytest.approx(0.1)  # the decoder's, as evaluated
    assert post["post_process_params"]["circle_nms_dist_threshold"] == pytest.approx(1.0)
    assert post["densification_params"]["num_past_frames"] == 0  # the tiny model's test pipeline has no sweeps
    single = onnx.load(str(out / cp_export.SINGLE_GRAPH_FILE))
    assert [i.name for i in single.graph.input] == ["input_features", "coords", "num_pillars"]
    assert [o.name for o in single.graph.output] == list(cp_export.CONTRACT["pts_backbone_neck_head"][1])
    scatter = [n for n in single.graph.node if n.op_type == "AwmlPillarScatter"]
    assert len(scatter) == 1
    assert {a.name: a.i for a in scatter[0].attribute} == {"grid_x": 224, "grid_y": 224}
    assert not (dirs[True][0] / cp_export.SINGLE_GRAPH_FILE).exists()


def test_onnx_pipeline_with_kernels_reproduces_pytorch_boxes(setup) -> None:
    model, samples, components, dirs = setup
    out = dirs[True][0]  # the y-axis head: the pipeline must undo it from the metadata
    factory = PipelineFactory(
        PipelineContext(components, lambda device: model), "centerpoint", make_registry(model.geometry)
    )
    cpu = DeviceSpec("cpu")
    torch_pipe = factory.create(
        ModelSpec(Backend.PYTORCH, cpu, Artifact.from_path(Backend.PYTORCH, CHECKPOINT, "test"))
    )
    onnx_pipe = factory.create(ModelSpec(Backend.ONNX, cpu, Artifact.from_path(Backend.ONNX, str(out), "test")))
    tol = {"center": 1e-3, "size": 1e-3, "yaw": 1e-3, "score": 1e-3, "match_radius": 0.5}
    total = 0
    for index in range(NUM_FRAMES):
        sample = samples.get_sample(index)
        ref, got = torch_pipe.infer(sample).output, onnx_pipe.infer(sample).output
        assert len(ref["boxes"]) > 5
        assert len(got["boxes"]) == len(ref["boxes"])
        np.testing.assert_array_equal(got["labels"], ref["labels"])
        np.testing.assert_allclose(got["boxes"][:, :6], ref["boxes"][:, :6], atol=1e-3)
        np.testing.assert_allclose(got["scores"], ref["scores"], atol=1e-4)
        nodes = compare_detections(ref, got, tol, model.geometry.score_threshold)
        assert all(nodes.values()), [n.log_line() for n in nodes.values() if not n]
        total += len(ref["boxes"])
    assert total > 20
    # A shifted box is caught by the box comparison.
    shifted = dict(got, boxes=got["boxes"].copy())
    shifted["boxes"][0, 0] += 0.01
    nodes = compare_detections(ref, shifted, tol, model.geometry.score_threshold)
    assert not nodes["boxes.center"].passed and nodes["boxes.matching"].passed
