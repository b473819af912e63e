"""FP16 ONNX for strongly typed TensorRT builds (TensorRT >= 10.12 and 11 have no FP16 builder flag).

The conversion is onnxconverter-common's ``float16.convert_float_to_float16`` with FP32 graph inputs and outputs
(``keep_io_types``) and a keep-list of numerically sensitive operators that stay FP32 (its own default block list
plus :data:`SENSITIVE_OPS`, and every custom-domain node: a TensorRT plugin declares its own types). :func:`check_fp16` runs both graphs on ONNX Runtime (CPU) and fails when an output
differs beyond the fp16 tolerances, so an FP16 file is never handed to the builder unchecked.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from awml_deploy.core.errors import EXIT_GATE_FAILED, fail

#: Operators kept in FP32 besides onnxconverter-common's DEFAULT_OP_BLOCK_LIST: exponentials, logs, powers and
#: roots overflow or lose range in FP16; normalisations and sums accumulate error.
SENSITIVE_OPS = (
    "Exp",
    "Log",
    "Pow",
    "Sqrt",
    "Reciprocal",
    "Softmax",
    "LogSoftmax",
    "LayerNormalization",
    "ReduceMean",
    "ReduceSum",
    "ReduceSumSquare",
    "ReduceL2",
    "ScatterElements",  # scatter-add accumulates (and ONNX Runtime's CPU kernel has no float16 reduction)
    "ScatterND",
)


def _float16_module() -> Any:
    try:
        from onnxconverter_common import float16
    except ImportError as err:
        fail(
            "fp16 onnx | onnxconverter-common is not installed. Note: expected `pip install onnxconverter-common` "
            "(pinned in tools/constraints.txt), got ImportError",
            cause=err,
        )
    return float16


def convert_to_fp16(
    src: str | pathlib.Path, dst: str | pathlib.Path, keep_ops: Sequence[str] | None = None
) -> pathlib.Path:
    """Writes the FP16 version of ``src`` to ``dst`` (FP32 I/O; ``keep_ops`` and the defaults stay FP32).

    Args:
        src (str | pathlib.Path): FP32 ONNX file.
        dst (str | pathlib.Path): FP16 ONNX file to write (atomically: a temporary name, then renamed).
        keep_ops (Sequence[str] | None): Extra operator types kept in FP32. Defaults to none beyond the defaults.

    Returns:
        pathlib.Path: ``dst``.
    """
    import onnx

    float16 = _float16_module()
    model = onnx.load(str(src))
    # Custom-domain nodes (TensorRT plugins such as AwmlPillarScatter) keep FP32: their plugins declare their types.
    custom = {n.op_type for n in model.graph.node if n.domain not in ("", "ai.onnx")}
    block = sorted(set(float16.DEFAULT_OP_BLOCK_LIST) | set(SENSITIVE_OPS) | set(keep_ops or ()) | custom)
    converted = float16.convert_float_to_float16(model, keep_io_types=True, op_block_list=block)
    _retarget_float_casts(converted)
    converted.metadata_props.add(key="awml_deploy.fp16", value="onnxconverter-common; fp32 ops: " + ",".join(block))
    dst = pathlib.Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    onnx.save(converted, str(tmp))
    onnx.checker.check_model(str(tmp))
    tmp.replace(dst)
    return dst


def _retarget_float_casts(model: Any) -> None:
    """``Cast(to=FLOAT)`` nodes inside the converted region get ``to=FLOAT16``.

    onnxconverter-common retypes their outputs to float16 (graph value_info) but leaves the ``to`` attribute, so
    ONNX Runtime refuses the graph (a Cast of integer coordinates to float, as in a range-image projection).
    """
    import onnx

    fp16_values = {v.name for v in model.graph.value_info if v.type.tensor_type.elem_type == onnx.TensorProto.FLOAT16}
    for node in model.graph.node:
        if node.op_type != "Cast" or not node.output or node.output[0] not in fp16_values:
            continue
        for attr in node.attribute:
            if attr.name == "to" and attr.i == onnx.TensorProto.FLOAT:
                attr.i = onnx.TensorProto.FLOAT16


def check_fp16(
    fp32_path: str | pathlib.Path,
    fp16_path: str | pathlib.Path,
    feeds: Sequence[Mapping[str, np.ndarray]],
    atol: float,
    rtol: float,
) -> dict[str, float]:
    """Runs both graphs on ONNX Runtime (CPU) and fails (exit 1) when any output leaves ``atol + rtol * |ref|``.

    Args:
        fp32_path (str | pathlib.Path): Reference FP32 ONNX.
        fp16_path (str | pathlib.Path): Converted FP16 ONNX (FP32 I/O).
        feeds (Sequence[Mapping[str, np.ndarray]]): Inputs to compare on (at least one).
        atol (float): Absolute tolerance (the config's fp16 tolerance).
        rtol (float): Relative tolerance.

    Returns:
        dict[str, float]: Per output, the worst ``|fp16 - fp32| - rtol * |fp32|`` excess over the feeds (<= atol).
    """
    from awml_deploy.pipelines.onnxruntime_backend import import_onnxruntime

    if not feeds:
        fail("fp16 onnx | check_fp16 needs at least one feed. Note: expected >= 1, got 0")
    ort = import_onnxruntime()
    sessions = [ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]) for p in (fp32_path, fp16_path)]
    names = [o.name for o in sessions[0].get_outputs()]
    worst = dict.fromkeys(names, 0.0)
    for feed in feeds:
        ref, test = (s.run(names, dict(feed)) for s in sessions)
        for name, r, t in zip(names, ref, test, strict=True):
            r, t = np.asarray(r, np.float64), np.asarray(t, np.float64)
            excess = float(np.max(np.abs(t - r) - rtol * np.abs(r))) if r.size else 0.0
            worst[name] = max(worst[name], excess)
            if not np.isfinite(t).all() or excess > atol:
                fail(
                    f"fp16 onnx {fp16_path} | output {name} differs from FP32 beyond the fp16 tolerance. Note: "
                    f"expected |fp16 - fp32| <= {atol} + {rtol} * |fp32|, got an excess of {excess:.4g}",
                    exit_code=EXIT_GATE_FAILED,
                )
    return worst
