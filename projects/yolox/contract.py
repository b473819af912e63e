"""The ONNX/TensorRT contract of the YOLOX graph, derived from the model config (nothing written by hand).

Input ``images`` float32 ``[B, 3, H, W]``: H, W are what the config's test pipeline (+ data preprocessor) gives
for any image; they must not depend on the image (``Pad`` with ``pad_to_square`` or ``size``), since the graph is
exported once. Output ``output`` float32 ``[B, N, 4 + 1 + C]``, N = sum over the head's strides of
ceil(H/s)·ceil(W/s), C = ``bbox_head.num_classes``.

Two flavours (``project.flavour``):
- ``dynamic_batch`` (default): dynamic axis 0 ``batch``; TensorRT profile batch 1..8 unless the deploy config
  declares one (its C/H/W are then checked).
- ``autoware``: a static batch (``project.batch_size``, default 1). Autoware's ``autoware_tensorrt_yolox`` reads the
  batch size from the ONNX input and builds its profile from it, so a dynamic batch (-1) is refused.

What the deploy config declares in ``components.model`` (shapes, dynamic axes, profiles) is checked against the
derived contract; declaring only names (``io=dict(inputs=["images"], outputs=["output"])``) is enough.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from types import MappingProxyType

import numpy as np

from awml_deploy.config.components import ComponentConfig, ComponentIO, TensorRTProfile, TensorSpec
from awml_deploy.core.errors import expected

INPUT_NAME = "images"
OUTPUT_NAME = "output"
DEFAULT_MAX_BATCH = 8
# Image sizes (H, W) of very different aspect ratios: a pipeline that gives the same tensor shape for all of them
# gives it for any image.
_PROBES = ((480, 640), (640, 480), (97, 1003), (1003, 97))


def head_strides(model_cfg) -> tuple[int, ...]:
    """``bbox_head.strides`` as written, else the default of the head's class in mmdet (as mmdet builds it)."""
    head = model_cfg.model.bbox_head
    if head.get("strides") is not None:
        return tuple(int(s) for s in head.strides)
    import inspect

    from mmengine.registry import init_default_scope

    init_default_scope("mmdet")
    from mmdet.registry import MODELS

    cls = MODELS.get(head.type)
    default = None if cls is None else inspect.signature(cls.__init__).parameters.get("strides")
    if default is None or default.default is inspect.Parameter.empty:
        expected(
            "model.bbox_head.strides", "not written and the head has no default", "strides, e.g. [8, 16, 32]", None
        )
    return tuple(int(s) for s in default.default)


def input_hw(preprocess) -> tuple[int, int]:
    """The network input (H, W) the test pipeline gives; fails when it depends on the image."""
    shapes = {tuple(preprocess(np.zeros((*hw, 3), np.uint8))[0].shape[2:]) for hw in _PROBES}
    if len(shapes) != 1:
        expected(
            "test_pipeline",
            "the network input size depends on the image",
            "Pad with pad_to_square=True or a fixed size (one exported input size)",
            sorted(shapes),
        )
    return shapes.pop()


def num_anchors(hw: tuple[int, int], strides: Sequence[int]) -> int:
    """sum over strides of ceil(H/s)·ceil(W/s)."""
    return sum(math.ceil(hw[0] / s) * math.ceil(hw[1] / s) for s in strides)


@dataclasses.dataclass(frozen=True)
class YoloxContract:
    """The derived contract.

    Attributes:
        input_hw: Network input (H, W).
        strides: Head strides.
        num_classes: C.
        flavour: "dynamic_batch" or "autoware" (see the module docstring).
        batch_size: The static batch (autoware flavour), or None (dynamic).
    """

    input_hw: tuple[int, int]
    strides: tuple[int, ...]
    num_classes: int
    flavour: str = "dynamic_batch"
    batch_size: int | None = None

    @property
    def num_anchors(self) -> int:
        """int: N."""
        return num_anchors(self.input_hw, self.strides)

    def input_shape(self) -> tuple[int | None, ...]:
        """``[B, 3, H, W]`` (B None when dynamic)."""
        return (self.batch_size, 3, *self.input_hw)

    def output_shape(self) -> tuple[int | None, ...]:
        """``[B, N, 5 + C]`` (B None when dynamic)."""
        return (self.batch_size, self.num_anchors, 5 + self.num_classes)

    def component(self, declared: ComponentConfig) -> ComponentConfig:
        """The component with derived I/O and profile; what ``declared`` states must agree with it."""
        path = f"components.{declared.name}"
        inputs = (TensorSpec(INPUT_NAME, "float32", self.input_shape()),)
        outputs = (TensorSpec(OUTPUT_NAME, "float32", self.output_shape()),)
        dynamic = {} if self.batch_size else {INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}}
        for kind, mine, theirs in (("inputs", inputs, declared.io.inputs), ("outputs", outputs, declared.io.outputs)):
            self._check_specs(f"{path}.io.{kind}", mine, theirs)
        axes = {k: sorted(v) for k, v in declared.io.dynamic_axes.items()}
        if axes and self.batch_size:
            expected(
                f"{path}.io.dynamic_axes",
                "dynamic batch refused for the autoware flavour (autoware_tensorrt_yolox reads the batch from the ONNX)",
                f"no dynamic axes (static batch project.batch_size={self.batch_size})",
                axes,
            )
        if axes and axes != {k: sorted(v) for k, v in dynamic.items()}:
            expected(
                f"{path}.io.dynamic_axes",
                "the YOLOX graph has only a dynamic batch",
                "{images: [0], output: [0]}",
                axes,
            )
        profile = self._profile(path, declared.tensorrt_profile.get(INPUT_NAME))
        io = ComponentIO(inputs, outputs, MappingProxyType({k: MappingProxyType(v) for k, v in dynamic.items()}))
        return dataclasses.replace(declared, io=io, tensorrt_profile=MappingProxyType({INPUT_NAME: profile}))

    def _check_specs(self, path: str, mine, theirs) -> None:
        if [(t.name, t.dtype) for t in theirs] != [(t.name, t.dtype) for t in mine]:
            expected(path, "differs from the YOLOX graph", [(t.name, t.dtype) for t in mine], [t.name for t in theirs])
        for want, got in zip(mine, theirs, strict=True):
            if got.shape is None:
                continue
            if self.batch_size and got.shape[:1] == (None,):
                expected(
                    f"{path}.{got.name}.shape[0]",
                    "dynamic batch refused for the autoware flavour (autoware_tensorrt_yolox reads the batch from "
                    "the ONNX)",
                    f"the static batch {self.batch_size} (project.batch_size)",
                    -1,
                )
            if tuple(got.shape) != tuple(want.shape):
                shown = [-1 if d is None else d for d in want.shape]
                expected(f"{path}.{got.name}.shape", "differs from the model config", shown, list(got.shape))

    def _profile(self, path: str, declared: TensorRTProfile | None) -> TensorRTProfile:
        chw = (3, *self.input_hw)
        if self.batch_size:
            shape = (self.batch_size, *chw)
            derived = TensorRTProfile(shape, shape, shape)
        else:
            derived = TensorRTProfile((1, *chw), (1, *chw), (DEFAULT_MAX_BATCH, *chw))
        if declared is None:
            return derived
        key = f"{path}.tensorrt_profile.{INPUT_NAME}"
        for name in ("min_shape", "opt_shape", "max_shape"):
            got, want = tuple(getattr(declared, name)), tuple(getattr(derived, name))
            if got[1:] != want[1:] or (self.batch_size and got != want):
                expected(
                    f"{key}.{name}",
                    "differs from the model config",
                    list(want if self.batch_size else ("B", *want[1:])),
                    list(got),
                )
        return declared


def check_onnx_batch(model, contract: YoloxContract, source: str) -> None:
    """Fails when the ONNX input's batch dimension is not the contract's (static B for autoware, else dynamic).

    Args:
        model (onnx.ModelProto): The graph (main or an NMS variant).
        contract (YoloxContract): The contract.
        source (str): File name for messages.
    """
    (graph_input,) = [i for i in model.graph.input if i.name == INPUT_NAME]
    dim = graph_input.type.tensor_type.shape.dim[0]
    batch = dim.dim_value if dim.HasField("dim_value") else None
    if contract.batch_size and batch != contract.batch_size:
        expected(
            f"{source} input {INPUT_NAME}",
            "dynamic or wrong batch for the autoware flavour (autoware_tensorrt_yolox reads the batch from the ONNX)",
            f"the static batch {contract.batch_size}",
            dim.dim_param or batch,
        )
    hw = tuple(d.dim_value for d in graph_input.type.tensor_type.shape.dim[2:])
    if hw != contract.input_hw:
        expected(f"{source} input {INPUT_NAME}", "wrong input size", list(contract.input_hw), list(hw))
