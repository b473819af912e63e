"""The single-engine CenterPoint (``project.single_graph``): which ONNX, engine and plugin library the TensorRT
export and the ``tensorrt`` backend select, the exported single graph against the plugin's field table and the
runtime's single-engine contract, and the runtime's single-engine mode executed on the CPU.

No TensorRT here: the engine build itself is not run (``tensorrt_builds`` is what ``export_tensorrt`` hands the
native builder). The single-engine mode of ``CenterPointRuntime`` runs around a ``PythonEngine`` that computes the
single graph's network (encoder session → the scatter kernel the plugin wraps → head session), never presented as
TensorRT: it checks the runtime's binding of ``input_features``/``coords``/``num_pillars`` and its decode."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
pytest.importorskip("mmdet3d")

from default_export import load_default  # noqa: E402

from awml_deploy import _native, kernels  # noqa: E402
from awml_deploy.config.components import component_io_spec  # noqa: E402
from awml_deploy.core.errors import EXIT_USAGE, DeployError  # noqa: E402
from awml_deploy.core.native import PLUGIN_LIBRARY, plugin_library  # noqa: E402
from awml_deploy.trt_plugins import scatter_onnx  # noqa: E402
from projects.centerpoint import export as cp_export  # noqa: E402
from projects.centerpoint.contract import HEAD_OUTPUTS  # noqa: E402
from projects.centerpoint.model import REPO_ROOT  # noqa: E402
from projects.centerpoint.runtime_backend import onnx_engine, runtime_engines, runtime_settings  # noqa: E402

FIELDS_SOURCE = REPO_ROOT / "cpp/plugins/trt/scatter/scatter_fields.cc"
IO_FILE = REPO_ROOT / "tests/cpp/trt_runtime/testdata/centerpoint_single_io.txt"
NUM_FRAMES = 3
_DTYPES = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT32: "int32"}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Model, demo frames, the default config (single_graph true) and its export with the single graph."""
    root = tmp_path_factory.mktemp("centerpoint_single")
    default = load_default(root, NUM_FRAMES)
    assert default.config.project["single_graph"] is True  # the default selects the single engine
    out = root / "onnx"
    default.export(out, rot_y=False, single_graph=True)
    pipeline = cp_export.CenterPointExportPipeline(default.model.geometry, False, single_graph=True)
    return default.model, default.samples, default.config, default.components, pipeline, out


def _graph_io(path) -> dict:
    """The ONNX file's declared I/O in the PythonEngine / component_io_spec form (-1 for a symbolic dim)."""
    graph = onnx.load(str(path)).graph

    def tensors(values):
        return [
            {
                "name": v.name,
                "dtype": _DTYPES[v.type.tensor_type.elem_type],
                "shape": [d.dim_value if d.HasField("dim_value") else -1 for d in v.type.tensor_type.shape.dim],
            }
            for v in values
        ]

    return {"inputs": tensors(graph.input), "outputs": tensors(graph.output)}


def test_tensorrt_export_builds_one_engine_from_the_single_graph(setup, tmp_path) -> None:
    """single_graph: one build, centerpoint_single.onnx -> centerpoint_single.engine; without it, the two."""
    model, _, _, components, pipeline, out = setup
    builds = pipeline.tensorrt_builds(out, components, tmp_path)
    assert [(c.name, src.name, engine.name) for c, src, engine in builds] == [
        ("centerpoint_single", "centerpoint_single.onnx", "centerpoint_single.engine")
    ]
    two = cp_export.CenterPointExportPipeline(model.geometry, False, single_graph=False)
    assert [(src.name, engine.name) for _, src, engine in two.tensorrt_builds(out, components, tmp_path)] == [
        ("pts_voxel_encoder.onnx", "pts_voxel_encoder.engine"),
        ("pts_backbone_neck_head.onnx", "pts_backbone_neck_head.engine"),
    ]
    with pytest.raises(DeployError, match=r"project.single_graph \| no centerpoint_single.onnx"):
        pipeline.tensorrt_builds(tmp_path, components, tmp_path)  # an ONNX dir exported without the single graph


def test_single_component_is_the_exported_graph(setup) -> None:
    """The builder's I/O contract of the single engine equals the exported ONNX's real names, dtypes and dims; its
    profile covers both pillar-axis inputs with the encoder's range."""
    model, _, _, components, _, out = setup
    single = cp_export.single_component(components)
    spec = component_io_spec(single)
    assert {k: spec[k] for k in ("inputs", "outputs")} == _graph_io(out / cp_export.SINGLE_GRAPH_FILE)
    g = model.geometry
    m, f = g.max_points_per_pillar, g.encoder_features
    assert spec["profiles"] == [
        {
            "input_features": {"min": [1, m, f], "opt": [g.max_pillars // 2, m, f], "max": [g.max_pillars, m, f]},
            "coords": {"min": [1, 3], "opt": [g.max_pillars // 2, 3], "max": [g.max_pillars, 3]},
        }
    ]


def single_io_lines(geometry, single, path) -> list[str]:
    """The single graph's I/O (dims as ONNX declares them) and the engine profile, as the TensorRT-free C++ contract
    test reads them (tests/cpp/trt_runtime/encoder_contract_test.cc, single-engine case)."""
    g = geometry
    ints = [g.point_features, g.max_points_per_pillar, g.max_pillars, int(g.use_voxel_center_z), g.encoder_channels]
    ints += [g.out_size_factor, len(g.class_names)]
    lines = ["geometry " + " ".join(f"{v:g}" for v in [*g.point_cloud_range, *g.voxel_size])]
    lines[0] += " " + " ".join(str(v) for v in ints)
    io = _graph_io(path)
    for role in ("inputs", "outputs"):
        for t in io[role]:
            dims = ",".join(map(str, t["shape"]))
            lines.append(f"tensor {single.name} {t['name']} {role[:-1]} {t['dtype']} {dims}")
    for tensor, p in single.tensorrt_profile.items():
        shapes = (p.min_shape, p.opt_shape, p.max_shape)
        lines.append(f"profile {single.name} {tensor} " + " ".join(",".join(map(str, s)) for s in shapes))
    return lines


def test_cpp_single_contract_testdata_matches_the_export(setup) -> None:
    """The dims file the C++ single-engine contract test validates is what the exporter writes today."""
    model, _, _, components, _, out = setup
    single = cp_export.single_component(components)
    lines = single_io_lines(model.geometry, single, out / cp_export.SINGLE_GRAPH_FILE)
    if os.environ.get("AWML_WRITE_TESTDATA") == "1":  # regenerate after a deliberate contract change
        IO_FILE.write_text("\n".join(lines) + "\n")
    assert IO_FILE.read_text().splitlines() == lines


def test_single_graph_carries_the_plugin_node_of_the_field_table(setup) -> None:
    """One AwmlPillarScatter node whose attributes are exactly the C++ field table's fields, as int32-range ints."""
    model, _, _, _, _, out = setup
    table = re.findall(r'\{"(\w+)", FieldType::kInt32, 1, \{\}\}', FIELDS_SOURCE.read_text())
    assert table == ["grid_x", "grid_y"]
    nodes = [
        n for n in onnx.load(str(out / cp_export.SINGLE_GRAPH_FILE)).graph.node if n.op_type == "AwmlPillarScatter"
    ]
    assert len(nodes) == 1 and nodes[0].domain == scatter_onnx.DOMAIN
    assert [a.name for a in nodes[0].attribute] == table
    assert all(a.type == onnx.AttributeProto.INT for a in nodes[0].attribute)
    h, w = model.geometry.grid
    assert {a.name: a.i for a in nodes[0].attribute} == {"grid_x": w, "grid_y": h}
    assert list(nodes[0].input) == ["encoder/pillar_features", "coords", "num_pillars"]


def test_tensorrt_backend_selects_the_single_plan_and_the_plugin_library(setup, tmp_path) -> None:
    """tensorrt + single_graph: one plan, single-engine settings with the plugin library; the runtime backend
    (ONNX Runtime has no AwmlPillarScatter) and two-engine TensorRT keep the two files."""
    model, _, _, components, _, _ = setup
    assert runtime_engines(components, True, True) == ["centerpoint_single.engine"]
    assert runtime_engines(components, True, False) == ["pts_voxel_encoder.engine", "pts_backbone_neck_head.engine"]
    assert runtime_engines(components, False, True) == ["pts_voxel_encoder.onnx", "pts_backbone_neck_head.onnx"]
    # The library is resolved next to _native; this build has none, which is named (exit 2) before any work.
    with pytest.raises(DeployError, match=r"project.single_graph \| the TensorRT plugin library is missing") as err:
        plugin_library("project.single_graph")
    assert err.value.exit_code == EXIT_USAGE and PLUGIN_LIBRARY in str(err.value)
    (tmp_path / PLUGIN_LIBRARY).write_bytes(b"")
    assert plugin_library("x", tmp_path) == str((tmp_path / PLUGIN_LIBRARY).resolve())
    settings = runtime_settings(model.geometry, False, None, ["/opt/awml/libawml_plugins.so"])
    assert settings["mode"] == "single_engine" and settings["plugin_libraries"] == ["/opt/awml/libawml_plugins.so"]
    assert "mode" not in runtime_settings(model.geometry, False)


def test_single_engine_export_without_the_plugin_library_fails_before_building(setup, tmp_path) -> None:
    """TensorRT export with single_graph and no libawml_plugins.so: one usage error, no engine folder."""
    _, _, config, components, pipeline, out = setup
    with pytest.raises(DeployError, match=r"plugin library is missing") as err:
        pipeline.export_tensorrt(out, components, config.tensorrt_config, None, tmp_path / "tensorrt")
    assert err.value.exit_code == EXIT_USAGE and not (tmp_path / "tensorrt").exists()


def _single_engine(out, geometry, io: dict):
    """A PythonEngine computing the single graph's network: encoder → scatter kernel (the plugin's) → head."""
    encoder = ort.InferenceSession(str(out / "pts_voxel_encoder.onnx"), providers=["CPUExecutionProvider"])
    head = ort.InferenceSession(str(out / "pts_backbone_neck_head.onnx"), providers=["CPUExecutionProvider"])

    def run(feed):
        count = int(np.asarray(feed["num_pillars"])[0])
        pillars = encoder.run(None, {"input_features": np.array(feed["input_features"])})[0][:count, 0]
        canvas = kernels.scatter(pillars, np.array(feed["coords"])[:count], grid_shape=geometry.grid)
        return dict(zip(HEAD_OUTPUTS, head.run(list(HEAD_OUTPUTS), {"spatial_features": canvas}), strict=True))

    return _native.PythonEngine(run, io)


def test_runtime_single_engine_mode_on_the_exported_contract(setup) -> None:
    """The runtime accepts an engine with the exported single graph's I/O in single-engine mode and reproduces its
    two-engine boxes and heads; an engine whose coords differ from the contract is rejected at create."""
    model, samples, _, _, _, out = setup
    g = model.geometry
    io = _graph_io(out / cp_export.SINGLE_GRAPH_FILE)
    single = _native.CenterPointRuntime(runtime_settings(g, False, None, []), [_single_engine(out, g, io)], "cpu")
    engines = [onnx_engine(str(out / f), 1) for f in ("pts_voxel_encoder.onnx", "pts_backbone_neck_head.onnx")]
    two = _native.CenterPointRuntime(runtime_settings(g, False), engines, "cpu")
    total = 0
    for index in range(len(samples)):
        points = np.ascontiguousarray(samples.get_sample(index)["points"][:, : g.point_features], np.float32)
        a, b = single.detect(points), two.detect(points)
        assert a["num_pillars"] == b["num_pillars"] > 0
        for name in HEAD_OUTPUTS:
            np.testing.assert_allclose(a["heads"][name], b["heads"][name], atol=1e-5, err_msg=name)
        np.testing.assert_allclose(a["boxes"], b["boxes"], atol=1e-4)
        total += len(a["boxes"])
    assert total > 10
    wrong = {**io, "inputs": [dict(t, shape=[-1, 2]) if t["name"] == "coords" else t for t in io["inputs"]]}
    with pytest.raises(_native.RuntimeBindingError, match=r"single: engine io \|.*tensor 'coords' \| dims"):
        _native.CenterPointRuntime(runtime_settings(g, False, None, []), [_single_engine(out, g, wrong)], "cpu")


def test_fp16_single_graph_keeps_the_plugin_in_fp32(setup, tmp_path) -> None:
    """The strongly typed FP16 ONNX (TensorRT >= 10.12) casts the plugin's features back to FP32: AwmlPillarScatter
    accepts float32 only (ScatterPlugin::supportsFormatCombination)."""
    pytest.importorskip("onnxconverter_common")
    from awml_deploy.exporters.onnx_fp16 import convert_to_fp16

    _, _, _, _, _, out = setup
    model = onnx.load(str(convert_to_fp16(out / cp_export.SINGLE_GRAPH_FILE, tmp_path / "single.fp16.onnx")))
    producers = {o: n for n in model.graph.node for o in n.output}
    (node,) = [n for n in model.graph.node if n.op_type == "AwmlPillarScatter"]
    cast = producers[node.input[0]]
    assert cast.op_type == "Cast" and {a.name: a.i for a in cast.attribute}["to"] == onnx.TensorProto.FLOAT
    assert any(n.op_type == "Cast" and node.output[0] in n.input for n in model.graph.node)  # back to FP16 after
    assert any(n.op_type == "Conv" for n in model.graph.node)  # the rest is converted
    fp16_tensors = [t for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT16]
    assert fp16_tensors
