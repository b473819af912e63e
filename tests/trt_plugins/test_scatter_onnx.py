"""The AwmlPillarScatter ONNX node and the encoder + scatter + head graph edit."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from awml_deploy.core.errors import DeployError
from awml_deploy.trt_plugins import scatter_onnx

PILLARS, POINTS, FEATURES, CHANNELS, GRID_X, GRID_Y = 6, 4, 9, 8, 5, 3


def _encoder(opset: int = 18) -> onnx.ModelProto:
    """input_features [P, N, 9] -> MatMul -> ReduceMax(axis 1, keepdims) -> pillar_features [P, 1, C]."""
    weight = np.linspace(-1.0, 1.0, FEATURES * CHANNELS, dtype=np.float32).reshape(FEATURES, CHANNELS)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["input_features", "w"], ["proj"], name="pfn"),
            helper.make_node("ReduceMax", ["proj", "axes"], ["pillar_features"], keepdims=1, name="max"),
        ],
        "encoder",
        [helper.make_tensor_value_info("input_features", TensorProto.FLOAT, [PILLARS, POINTS, FEATURES])],
        [helper.make_tensor_value_info("pillar_features", TensorProto.FLOAT, [PILLARS, 1, CHANNELS])],
        initializer=[numpy_helper.from_array(weight, "w"), numpy_helper.from_array(np.array([1], np.int64), "axes")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _head(height: int = GRID_Y, width: int = GRID_X) -> onnx.ModelProto:
    """spatial_features [1, C, H, W] -> 1x1 convs -> heatmap [1, 2, H, W], reg [1, 2, H, W]; shares the name 'w'."""
    w_hm = np.linspace(0.5, -0.5, 2 * CHANNELS, dtype=np.float32).reshape(2, CHANNELS, 1, 1)
    w_reg = np.linspace(-0.2, 0.3, 2 * CHANNELS, dtype=np.float32).reshape(2, CHANNELS, 1, 1)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["spatial_features", "w"], ["heatmap"], name="hm"),
            helper.make_node("Conv", ["spatial_features", "w_reg"], ["reg"], name="reg"),
        ],
        "head",
        [helper.make_tensor_value_info("spatial_features", TensorProto.FLOAT, [1, CHANNELS, height, width])],
        [
            helper.make_tensor_value_info("heatmap", TensorProto.FLOAT, [1, 2, height, width]),
            helper.make_tensor_value_info("reg", TensorProto.FLOAT, [1, 2, height, width]),
        ],
        initializer=[numpy_helper.from_array(w_hm, "w"), numpy_helper.from_array(w_reg, "w_reg")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def _scatter(features: np.ndarray, coords: np.ndarray, count: int) -> np.ndarray:
    """NumPy twin of the plugin (kernels' ScatterCpu): zero canvas, then canvas[c, y, x] = features[p, c]."""
    canvas = np.zeros((1, CHANNELS, GRID_Y, GRID_X), np.float32)
    flat = features.reshape(features.shape[0], -1)
    for p in range(min(count, features.shape[0])):
        _, y, x = coords[p]
        if 0 <= x < GRID_X and 0 <= y < GRID_Y:
            canvas[0, :, y, x] = flat[p]
    return canvas


def _run(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)


def test_node_carries_the_plugin_field_table() -> None:
    node = scatter_onnx.make_scatter_node("f", "c", "n", "out", grid_x=480, grid_y=240)
    assert (node.op_type, node.domain) == ("AwmlPillarScatter", "awml")
    assert [a.name for a in node.attribute] == list(scatter_onnx.FIELDS)
    assert [helper.get_attribute_value(a) for a in node.attribute] == [480, 240]
    assert list(node.input) == ["f", "c", "n"]


@pytest.mark.parametrize("bad", [0, 16385, 4.0, True])
def test_node_rejects_grid_outside_the_plugin_range(bad: object) -> None:
    with pytest.raises(DeployError, match="grid_x out of range. Note: expected an int in 1..16384"):
        scatter_onnx.make_scatter_node("f", "c", "n", "out", grid_x=bad, grid_y=3)


def test_join_wires_encoder_scatter_head() -> None:
    model = scatter_onnx.join_with_scatter(_encoder(), _head(), grid_x=GRID_X, grid_y=GRID_Y)
    graph = model.graph
    assert [i.name for i in graph.input] == ["input_features", "coords", "num_pillars"]
    assert [o.name for o in graph.output] == ["heatmap", "reg"]
    scatter = [n for n in graph.node if n.op_type == "AwmlPillarScatter"]
    assert len(scatter) == 1
    assert list(scatter[0].input) == ["encoder/pillar_features", "coords", "num_pillars"]
    assert list(scatter[0].output) == ["head/spatial_features"]
    # The two initializers called "w" no longer collide.
    assert sorted(t.name for t in graph.initializer) == ["encoder/axes", "encoder/w", "head/w", "head/w_reg"]
    assert {o.domain: o.version for o in model.opset_import} == {"": 18, "awml": 1}


def test_join_preserves_what_each_part_computes() -> None:
    rng = np.random.default_rng(0)
    features = rng.standard_normal((PILLARS, POINTS, FEATURES)).astype(np.float32)
    coords = np.array([[0, y, x] for y, x in [(0, 0), (2, 4), (1, 3), (0, 4), (2, 0), (1, 1)]], np.int32)
    count = 4  # the last two rows are padding and must not land on the canvas
    (pillar_features,) = _run(_encoder(), {"input_features": features})
    expected = _run(_head(), {"spatial_features": _scatter(pillar_features, coords, count)})

    joined = scatter_onnx.join_with_scatter(_encoder(), _head(), grid_x=GRID_X, grid_y=GRID_Y)
    encoder_part = onnx.utils.Extractor(joined).extract_model(["input_features"], ["encoder/pillar_features"])
    head_part = onnx.utils.Extractor(joined).extract_model(["head/spatial_features"], ["heatmap", "reg"])
    (joined_features,) = _run(encoder_part, {"input_features": features})
    actual = _run(head_part, {"head/spatial_features": _scatter(joined_features, coords, count)})
    for a, e in zip(actual, expected, strict=True):
        np.testing.assert_array_equal(a, e)


def test_join_rejects_mismatched_contracts() -> None:
    with pytest.raises(DeployError, match=r"canvas shape. Note: expected \[1, C, 4, 5\]"):
        scatter_onnx.join_with_scatter(_encoder(), _head(), grid_x=GRID_X, grid_y=4)
    with pytest.raises(DeployError, match="no output named 'voxel_features'"):
        scatter_onnx.join_with_scatter(_encoder(), _head(), GRID_X, GRID_Y, encoder_output="voxel_features")
    with pytest.raises(DeployError, match="different opsets"):
        scatter_onnx.join_with_scatter(_encoder(opset=13), _head(), grid_x=GRID_X, grid_y=GRID_Y)
    with pytest.raises(DeployError, match="input name 'input_features' already exists"):
        scatter_onnx.join_with_scatter(_encoder(), _head(), GRID_X, GRID_Y, coords="input_features")
