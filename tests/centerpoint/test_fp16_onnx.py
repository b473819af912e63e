"""FP16 ONNX of the embedded CenterPoint (onnxconverter-common, FP32 I/O, FP32 keep-list) against its FP32 graphs on
ONNX Runtime within the default config's fp16 tolerances, on decorated pillars and canvases of real frames; a
perturbed FP16 file fails the check; the TensorRT exporter converts exactly when the precision recipe asks."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
pytest.importorskip("mmdet3d")
pytest.importorskip("onnxconverter_common")

from default_export import load_default  # noqa: E402
from onnx import numpy_helper  # noqa: E402

from awml_deploy import kernels  # noqa: E402
from awml_deploy.core.errors import DeployError  # noqa: E402
from awml_deploy.exporters.onnx_fp16 import SENSITIVE_OPS, check_fp16, convert_to_fp16  # noqa: E402
from projects.centerpoint import export as cp_export  # noqa: E402
from projects.centerpoint.pipelines import decorate  # noqa: E402


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    """FP32 export, its FP16 conversion, real encoder and head feeds, and the config's fp16 tolerance."""
    import onnxruntime as ort

    root = tmp_path_factory.mktemp("fp16")
    default = load_default(root, 3)
    model, samples, config = default.model, default.samples, default.config
    default.export(root / "fp32", rot_y=False, single_graph=False)
    paths = {}
    for name in (cp_export.ENCODER, cp_export.HEAD):
        fp32 = root / "fp32" / f"{name}.onnx"
        paths[name] = (fp32, convert_to_fp16(fp32, root / "fp16" / f"{name}.onnx"))
    encoder = ort.InferenceSession(str(paths[cp_export.ENCODER][0]), providers=["CPUExecutionProvider"])
    feeds = {cp_export.ENCODER: [], cp_export.HEAD: []}
    for index in range(len(samples)):
        pillars = decorate(samples.get_sample(index)["points"], model.geometry)
        feeds[cp_export.ENCODER].append({"input_features": pillars.features})
        (features,) = encoder.run(["pillar_features"], {"input_features": pillars.features})
        canvas = kernels.scatter(features[:, 0], pillars.coords, grid_shape=model.geometry.grid)
        feeds[cp_export.HEAD].append({"spatial_features": canvas})
    tolerance = config.verification.tolerances["fp16"]
    return paths, feeds, tolerance, root


@pytest.mark.parametrize("name", [cp_export.ENCODER, cp_export.HEAD])
def test_fp16_graph_matches_fp32_within_fp16_tolerances(graphs, name) -> None:
    paths, feeds, tol, _ = graphs
    fp32, fp16 = paths[name]
    model = onnx.load(str(fp16))
    assert all(
        v.type.tensor_type.elem_type == onnx.TensorProto.FLOAT for v in [*model.graph.input, *model.graph.output]
    )
    weights = [i for i in model.graph.initializer if i.data_type == onnx.TensorProto.FLOAT16]
    assert len(weights) >= 5  # the network really is FP16
    kept = dict((p.key, p.value) for p in model.metadata_props)["awml_deploy.fp16"]
    assert all(op in kept for op in SENSITIVE_OPS)
    worst = check_fp16(fp32, fp16, feeds[name], tol.atol, tol.rtol)
    assert set(worst) == {o.name for o in model.graph.output}
    assert max(worst.values()) > 0.0  # FP16 is not FP32: the check compares something


def test_a_perturbed_fp16_graph_fails_the_check(graphs) -> None:
    paths, feeds, tol, root = graphs
    fp32, fp16 = paths[cp_export.HEAD]
    model = onnx.load(str(fp16))
    producers = {out: n for n in model.graph.node for out in n.output}
    node = producers["heatmap"]
    while node.op_type == "Cast":  # keep_io_types casts the FP16 conv output back to FP32
        node = producers[node.input[0]]
    (bias,) = [i for i in model.graph.initializer if i.name == node.input[2]]
    assert bias.data_type == onnx.TensorProto.FLOAT16
    bias.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(bias) + np.float16(0.25), bias.name))
    onnx.save(model, str(root / "perturbed.onnx"))
    with pytest.raises(DeployError, match="output heatmap differs from FP32 beyond the fp16 tolerance") as err:
        check_fp16(fp32, root / "perturbed.onnx", feeds[cp_export.HEAD], tol.atol, tol.rtol)
    assert err.value.exit_code == 1


def test_keep_list_holds_ops_in_fp32(graphs) -> None:
    """Conv in the keep-list: every Conv keeps FP32 weights (the list is honoured, not just recorded)."""
    paths, _, _, root = graphs
    fp32, _ = paths[cp_export.HEAD]
    model = onnx.load(str(convert_to_fp16(fp32, root / "conv_fp32.onnx", keep_ops=["Conv"])))
    types = {i.name: i.data_type for i in model.graph.initializer}
    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    assert convs and all(types[n.input[1]] == onnx.TensorProto.FLOAT for n in convs)


@pytest.mark.parametrize(("version", "converts"), [("10.8.0", False), ("10.16.0", True), ("11.1.0", True)])
def test_tensorrt_exporter_converts_when_the_recipe_needs_it(graphs, version, converts) -> None:
    """The real precision table (C++ precision_recipe) decides for the given TensorRT version."""
    from awml_deploy import _native
    from awml_deploy.config.sections import parse_tensorrt_config
    from awml_deploy.core.device import DeviceSpec
    from awml_deploy.exporters.tensorrt import TensorRTExporter

    paths, _, _, root = graphs
    fp32, _ = paths[cp_export.ENCODER]
    exporter = TensorRTExporter(parse_tensorrt_config({"precision_policy": "fp16"}), DeviceSpec("cuda"))
    source = exporter.source_onnx(_native, version, fp32, root / version / "encoder.engine")
    assert (source != fp32) is converts
    if converts:
        assert source.name == "encoder.fp16.onnx" and source.is_file()
