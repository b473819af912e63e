"""ONNX custom op for the ``AwmlPillarScatter`` TensorRT plugin, and the graph edit that makes one
CenterPoint ONNX out of the split encoder / backbone-head pair.

The node mirrors the plugin's field table (``cpp/plugins/trt/scatter/scatter_fields.h``):

    AwmlPillarScatter(pillar_features float32 [P, C] or [P, 1, C], coords int32 [P, 3] (z, y, x),
                      num_pillars int32 [1]) -> canvas float32 [1, C, grid_y, grid_x]
    attributes: grid_x (int), grid_y (int)

The TensorRT ONNX parser resolves an unknown op by name in the plugin registry and passes the node's
attributes as plugin fields, so loading ``libawml_plugins.so`` before parsing is all the builder needs.
The node lives in the ``awml`` domain so that ``onnx.checker`` accepts the graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from awml_deploy.core.errors import fail

if TYPE_CHECKING:  # onnx is imported lazily (numpy-only import rule)
    import onnx

OP_TYPE = "AwmlPillarScatter"
DOMAIN = "awml"
DOMAIN_VERSION = 1
FIELDS = ("grid_x", "grid_y")  # the plugin's field table, in order; both required int32


def make_scatter_node(
    features: str, coords: str, num_pillars: str, canvas: str, grid_x: int, grid_y: int, name: str | None = None
) -> onnx.NodeProto:
    """Builds the custom-op node.

    Args:
        features (str): Name of the pillar feature tensor, float32 [P, C] or [P, 1, C].
        coords (str): Name of the int32 [P, 3] (z, y, x) coordinate tensor.
        num_pillars (str): Name of the int32 [1] valid pillar count.
        canvas (str): Name of the output canvas, float32 [1, C, grid_y, grid_x].
        grid_x (int): Canvas width W, 1..16384.
        grid_y (int): Canvas height H, 1..16384.
        name (str | None): Node name. Defaults to "pillar_scatter".

    Returns:
        onnx.NodeProto: The node, in the ``awml`` domain.
    """
    from onnx import helper

    name = "pillar_scatter" if name is None else name
    for field, value in (("grid_x", grid_x), ("grid_y", grid_y)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 16384:
            fail(f"{OP_TYPE} | {field} out of range. Note: expected an int in 1..16384, got {value!r}")
    return helper.make_node(
        OP_TYPE, [features, coords, num_pillars], [canvas], name=name, domain=DOMAIN, grid_x=grid_x, grid_y=grid_y
    )


def _value_info(graph: onnx.GraphProto, name: str, kind: str) -> onnx.ValueInfoProto:
    items = graph.input if kind == "input" else graph.output
    for item in items:
        if item.name == name:
            return item
    fail(f"{graph.name or 'graph'} | no {kind} named {name!r}. Note: expected one of {[i.name for i in items]}")


def _dims(info: onnx.ValueInfoProto) -> list[int | str]:
    return [d.dim_value if d.HasField("dim_value") else d.dim_param for d in info.type.tensor_type.shape.dim]


def _prefixed(graph: onnx.GraphProto, prefix: str, keep: set[str]) -> onnx.GraphProto:
    """A copy whose node names and internal tensor names carry ``prefix`` (names in ``keep`` stay)."""
    import onnx

    out = onnx.GraphProto()
    out.CopyFrom(graph)

    def rename(tensor: str) -> str:
        return tensor if (not tensor or tensor in keep) else prefix + tensor

    for node in out.node:
        node.name = prefix + (node.name or node.op_type)
        node.input[:] = [rename(t) for t in node.input]
        node.output[:] = [rename(t) for t in node.output]
        if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) for a in node.attribute):
            fail(f"{graph.name or 'graph'} | subgraph attributes are not supported. Note: got node {node.name}")
    for tensor in list(out.initializer) + list(out.sparse_initializer):
        tensor.name = rename(tensor.name)
    for info in list(out.value_info) + list(out.input) + list(out.output):
        info.name = rename(info.name)
    return out


def _merged_opsets(*models: onnx.ModelProto) -> list[onnx.OperatorSetIdProto]:
    from onnx import helper

    versions: dict[str, int] = {}
    for model in models:
        for opset in model.opset_import:
            if opset.domain in versions and versions[opset.domain] != opset.version:
                fail(
                    f"scatter graph edit | the two models use different opsets for domain {opset.domain or 'ai.onnx'!r}."
                    f" Note: expected equal versions, got {versions[opset.domain]} and {opset.version}"
                )
            versions[opset.domain] = opset.version
    versions[DOMAIN] = DOMAIN_VERSION
    return [helper.make_opsetid(domain, version) for domain, version in sorted(versions.items())]


def join_with_scatter(
    encoder: onnx.ModelProto,
    head: onnx.ModelProto,
    grid_x: int,
    grid_y: int,
    encoder_output: str | None = None,
    head_input: str | None = None,
    coords: str | None = None,
    num_pillars: str | None = None,
) -> onnx.ModelProto:
    """Stitches encoder → AwmlPillarScatter → backbone/head into one model (Autoware's split ONNX pair in).

    Inputs of the result: the encoder's inputs plus ``coords`` int32 [P, 3] and ``num_pillars`` int32 [1];
    outputs: the head's outputs, names unchanged. Internal names get "encoder/" and "head/" prefixes.

    Args:
        encoder (onnx.ModelProto): Pillar encoder, output [P, 1, C] or [P, C].
        head (onnx.ModelProto): Backbone + neck + head, input [1, C, grid_y, grid_x].
        grid_x (int): Canvas width W.
        grid_y (int): Canvas height H.
        encoder_output (str | None): Encoder output to scatter. Defaults to "pillar_features".
        head_input (str | None): Head input fed by the canvas. Defaults to "spatial_features".
        coords (str | None): Name of the new coords input. Defaults to "coords".
        num_pillars (str | None): Name of the new pillar count input. Defaults to "num_pillars".

    Returns:
        onnx.ModelProto: The single-graph model, checked with ``onnx.checker``.
    """
    import onnx
    from onnx import TensorProto, helper

    encoder_output = "pillar_features" if encoder_output is None else encoder_output
    head_input = "spatial_features" if head_input is None else head_input
    coords = "coords" if coords is None else coords
    num_pillars = "num_pillars" if num_pillars is None else num_pillars

    enc_out_info = _value_info(encoder.graph, encoder_output, "output")
    head_in_info = _value_info(head.graph, head_input, "input")
    enc_dims, head_dims = _dims(enc_out_info), _dims(head_in_info)
    if len(head_dims) != 4 or head_dims[2:] != [grid_y, grid_x]:
        fail(f"{head_input} | canvas shape. Note: expected [1, C, {grid_y}, {grid_x}], got {head_dims}")
    if len(enc_dims) not in (2, 3) or enc_dims[-1] != head_dims[1]:
        fail(
            f"{encoder_output} | channels must match the head input. Note: expected [P, (1,) {head_dims[1]}], got {enc_dims}"
        )
    pillars = enc_dims[0]
    taken = {i.name for i in encoder.graph.input} | {o.name for o in head.graph.output}
    for new_name in (coords, num_pillars):
        if new_name in taken:
            fail(f"scatter graph edit | input name {new_name!r} already exists. Note: pass another name")

    enc_keep = {i.name for i in encoder.graph.input}
    head_keep = {o.name for o in head.graph.output}
    enc_graph = _prefixed(encoder.graph, "encoder/", enc_keep)
    head_graph = _prefixed(head.graph, "head/", head_keep)
    features_name = "encoder/" + encoder_output
    canvas_name = "head/" + head_input

    graph = helper.make_graph(
        list(enc_graph.node)
        + [make_scatter_node(features_name, coords, num_pillars, canvas_name, grid_x, grid_y)]
        + list(head_graph.node),
        "centerpoint_single",
        list(enc_graph.input)
        + [
            helper.make_tensor_value_info(coords, TensorProto.INT32, [pillars, 3]),
            helper.make_tensor_value_info(num_pillars, TensorProto.INT32, [1]),
        ],
        list(head_graph.output),
        initializer=list(enc_graph.initializer) + list(head_graph.initializer),
        value_info=list(enc_graph.value_info)
        + list(enc_graph.output)
        + list(head_graph.value_info)
        + list(head_graph.input),
    )
    model = helper.make_model(graph, opset_imports=_merged_opsets(encoder, head), producer_name="awml-deploy")
    model.ir_version = max(encoder.ir_version, head.ir_version)
    onnx.checker.check_model(model)
    return model
