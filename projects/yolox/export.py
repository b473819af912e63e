"""ONNX export in the layout Autoware's YOLOX node consumes, plus optional NMS-in-graph variants.

Main graph (``components.model``): input ``images`` float32 ``[B, 3, H, W]`` (letterboxed, values as the
config's data preprocessor gives them; raw 0-255 BGR for YOLOX), output ``output`` float32
``[B, N, 4 + 1 + C]``, N = sum over strides (8, 16, 32) of (H/s)·(W/s). Decoded *inside* the graph: only the
sigmoids of objectness and class logits. Left to the host (as Autoware's ``tensorrt_yolox`` does): the box
decoding ``cx = (dx + gx)·s, cy = (dy + gy)·s, w = exp(log_w)·s, h = exp(log_h)·s`` (see :mod:`decode`),
score = objectness x class score, threshold and NMS. The batch axis is dynamic.

NMS variants (written next to the main graph when ``project.nms.append`` asks for them) decode the boxes to
``[x1, y1, x2, y2]`` network-input pixels and keep, per anchor, only its best class (mmdet semantics), then:
- ``onnx``: ONNX ``NonMaxSuppression`` (ONNX Runtime). Outputs ``output`` (the raw tensor above, kept for
  verification), ``det_boxes`` [K, 4], ``det_scores`` [K], ``det_classes`` int64 [K], ``det_batch`` int64 [K].
- ``tensorrt``: a TensorRT ``EfficientNMS_TRT`` plugin node (box_coding 0 = corners, no score activation,
  background_class -1). Outputs ``num_detections`` int32 [B, 1], ``detection_boxes`` [B, M, 4],
  ``detection_scores`` [B, M], ``detection_classes`` int32 [B, M]. Runs only in TensorRT.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from awml_deploy.core.errors import fail
from awml_deploy.core.fsio import save_onnx_atomic
from awml_deploy.exporters.pipeline import ExportableComponent, ExportPipeline, ModelComponentBuilder
from projects.yolox.decode import anchor_grid

INPUT_NAME = "images"
OUTPUT_NAME = "output"
NMS_VARIANTS = ("onnx", "tensorrt")


def autoware_wrapper(detector):
    """Wraps an mmdet YOLOX detector so that ``forward(images) -> [B, N, 4 + 1 + C]`` (Autoware layout)."""
    import torch

    class YoloxAutowareWrapper(torch.nn.Module):
        def __init__(self, model) -> None:
            super().__init__()
            self.model = model

        def forward(self, images):
            cls_scores, bbox_preds, objectnesses = self.model.bbox_head(self.model.extract_feat(images))
            levels = [
                torch.cat([reg, obj.sigmoid(), cls.sigmoid()], dim=1).flatten(2)
                for cls, reg, obj in zip(cls_scores, bbox_preds, objectnesses, strict=True)
            ]
            return torch.cat(levels, dim=2).permute(0, 2, 1)

    return YoloxAutowareWrapper(detector).eval()


class YoloxComponentBuilder(ModelComponentBuilder):
    """One component ``model``: the Autoware wrapper traced on a preprocessed evaluation image.

    Args:
        preprocess: ``image -> (tensor, meta)`` (see :mod:`preprocessing`).
        component_name (str): The component id. Defaults to "model".
        batch_size (int | None): Static batch of the traced input (the image repeated). Defaults to 1.
    """

    def __init__(self, preprocess, component_name: str | None = None, batch_size: int | None = None) -> None:
        self.preprocess = preprocess
        self.component_name = "model" if component_name is None else component_name
        self.batch_size = 1 if batch_size is None else batch_size
        self.input_shape: tuple[int, int] | None = None
        self.output_shape: tuple[int, int, int] | None = None

    def build_components(self, model: Any, sample: Any) -> list[ExportableComponent]:
        import torch

        if not isinstance(sample, Mapping) or "image" not in sample:
            fail("yolox export | the export sample has no image. Note: expected a sample with key 'image'")
        tensor, _ = self.preprocess(sample["image"])
        tensor = np.repeat(tensor, self.batch_size, axis=0)
        self.input_shape = tuple(tensor.shape[2:])  # the NMS variants' anchors are generated for this size
        wrapper = autoware_wrapper(model)
        with torch.no_grad():
            self.output_shape = tuple(wrapper(torch.from_numpy(tensor)).shape)
        return [ExportableComponent(self.component_name, wrapper, (torch.from_numpy(tensor),))]


def _decoded_tail(graph, nodes, input_shape, strides, num_classes, opset):
    """Adds nodes computing corner boxes [B, N, 4] and best-class scores [B, N, C] from ``output``."""
    from onnx import TensorProto, helper, numpy_helper

    grid, stride = anchor_grid(input_shape, strides)
    consts = {
        "nms_grid": grid[None],
        "nms_stride": stride[None],
        "nms_half": np.array(0.5, np.float32),
        "nms_s0": np.array([0], np.int64),
        "nms_s2": np.array([2], np.int64),
        "nms_s4": np.array([4], np.int64),
        "nms_s5": np.array([5], np.int64),
        "nms_send": np.array([5 + num_classes], np.int64),
        "nms_axis": np.array([2], np.int64),
    }
    graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in consts.items())

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    xy = node("Slice", [OUTPUT_NAME, "nms_s0", "nms_s2", "nms_axis"], "nms_xy")
    wh = node("Slice", [OUTPUT_NAME, "nms_s2", "nms_s4", "nms_axis"], "nms_wh")
    obj = node("Slice", [OUTPUT_NAME, "nms_s4", "nms_s5", "nms_axis"], "nms_obj")
    cls = node("Slice", [OUTPUT_NAME, "nms_s5", "nms_send", "nms_axis"], "nms_cls")
    center = node("Mul", [node("Add", [xy, "nms_grid"], "nms_cell"), "nms_stride"], "nms_center")
    half = node("Mul", [node("Mul", [node("Exp", [wh], "nms_expwh"), "nms_stride"], "nms_size"), "nms_half"], "nms_hs")
    boxes = node(
        "Concat", [node("Sub", [center, half], "nms_p1"), node("Add", [center, half], "nms_p2")], "nms_boxes", axis=2
    )
    if opset >= 18:  # ReduceMax takes axes as an input from opset 18 on
        best = node("ReduceMax", [cls, "nms_axis"], "nms_clsmax", keepdims=1)
    else:
        best = node("ReduceMax", [cls], "nms_clsmax", axes=[2], keepdims=1)
    mask = node("Cast", [node("Equal", [cls, best], "nms_isbest")], "nms_mask", to=TensorProto.FLOAT)
    scores = node("Mul", [node("Mul", [cls, obj], "nms_allscores"), mask], "nms_scores")
    return boxes, scores


def append_nms(
    base_path,
    out_path,
    variant: str,
    input_shape,
    strides,
    num_classes: int,
    score_threshold: float,
    iou_threshold: float,
    max_output_boxes: int,
) -> str:
    """Writes an NMS variant of the main graph.

    Args:
        base_path (str | pathlib.Path): The exported main graph.
        out_path (str | pathlib.Path): Destination.
        variant (str): "onnx" (NonMaxSuppression) or "tensorrt" (EfficientNMS_TRT).
        input_shape (tuple[int, int]): Network input (height, width) the anchors are generated for.
        strides (Sequence[int]): Level strides.
        num_classes (int): Classes.
        score_threshold (float): Minimum score.
        iou_threshold (float): NMS IoU.
        max_output_boxes (int): Per class (onnx) or per image (tensorrt).

    Returns:
        str: ``out_path``.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if variant not in NMS_VARIANTS:
        fail(f"project.nms.append | unknown variant {variant!r}. Note: expected one of {'|'.join(NMS_VARIANTS)}")
    model = onnx.load(str(base_path))
    graph = model.graph
    nodes: list = []
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 17)
    boxes, scores = _decoded_tail(graph, nodes, tuple(input_shape), tuple(strides), num_classes, opset)
    batch_dim = graph.input[0].type.tensor_type.shape.dim[0]
    batch = batch_dim.dim_value if batch_dim.HasField("dim_value") else "batch"  # static in the autoware flavour
    del graph.output[:]
    if variant == "onnx":
        graph.initializer.extend(
            [
                numpy_helper.from_array(np.array([max_output_boxes], np.int64), "nms_max"),
                numpy_helper.from_array(np.array([iou_threshold], np.float32), "nms_iou"),
                numpy_helper.from_array(np.array([score_threshold], np.float32), "nms_thr"),
                numpy_helper.from_array(np.array([1], np.int64), "nms_one"),
                numpy_helper.from_array(np.array([0, 2], np.int64), "nms_bi"),
            ]
        )
        nodes += [
            helper.make_node("Transpose", [scores], ["nms_scores_t"], perm=[0, 2, 1]),
            helper.make_node(
                "NonMaxSuppression",
                [boxes, "nms_scores_t", "nms_max", "nms_iou", "nms_thr"],
                ["nms_selected"],
                center_point_box=0,
            ),
            helper.make_node("Gather", ["nms_selected", "nms_bi"], ["nms_batch_box"], axis=1),
            helper.make_node("GatherND", [boxes, "nms_batch_box"], ["det_boxes"]),
            helper.make_node("GatherND", ["nms_scores_t", "nms_selected"], ["det_scores"]),
            helper.make_node("Gather", ["nms_selected", "nms_one"], ["nms_class_col"], axis=1),
            helper.make_node("Squeeze", ["nms_class_col", "nms_one"], ["det_classes"]),
            helper.make_node("Gather", ["nms_selected", "nms_s0"], ["nms_batch_col"], axis=1),
            helper.make_node("Squeeze", ["nms_batch_col", "nms_one"], ["det_batch"]),
        ]
        outputs = [
            helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, [batch, None, 5 + num_classes]),
            helper.make_tensor_value_info("det_boxes", TensorProto.FLOAT, ["num_det", 4]),
            helper.make_tensor_value_info("det_scores", TensorProto.FLOAT, ["num_det"]),
            helper.make_tensor_value_info("det_classes", TensorProto.INT64, ["num_det"]),
            helper.make_tensor_value_info("det_batch", TensorProto.INT64, ["num_det"]),
        ]
    else:
        nodes.append(
            helper.make_node(
                "EfficientNMS_TRT",
                [boxes, scores],
                ["num_detections", "detection_boxes", "detection_scores", "detection_classes"],
                name="efficient_nms",
                plugin_version="1",
                background_class=-1,
                box_coding=0,
                score_activation=0,
                class_agnostic=0,
                iou_threshold=float(iou_threshold),
                score_threshold=float(score_threshold),
                max_output_boxes=int(max_output_boxes),
            )
        )
        outputs = [
            helper.make_tensor_value_info("num_detections", TensorProto.INT32, [batch, 1]),
            helper.make_tensor_value_info("detection_boxes", TensorProto.FLOAT, [batch, max_output_boxes, 4]),
            helper.make_tensor_value_info("detection_scores", TensorProto.FLOAT, [batch, max_output_boxes]),
            helper.make_tensor_value_info("detection_classes", TensorProto.INT32, [batch, max_output_boxes]),
        ]
    graph.node.extend(nodes)
    graph.output.extend(outputs)
    if variant == "onnx":
        onnx.checker.check_model(model)  # EfficientNMS_TRT is a TensorRT plugin: unknown to the ONNX checker
    save_onnx_atomic(model, out_path)
    return str(out_path)


def pin_output_dims(path, shape) -> None:
    """Writes the static anchor and channel dims of ``output`` (the TorchScript exporter leaves them symbolic).

    Args:
        path (str | pathlib.Path): The main graph (rewritten in place).
        shape (tuple[int, int, int]): Traced output shape; the batch dim stays dynamic.
    """
    import onnx

    model = onnx.load(str(path))
    (output,) = [o for o in model.graph.output if o.name == OUTPUT_NAME]
    dims = output.type.tensor_type.shape.dim
    for dim, value in zip(list(dims)[1:], shape[1:], strict=True):
        dim.Clear()
        dim.dim_value = int(value)
    onnx.checker.check_model(model)
    save_onnx_atomic(model, path)


def nms_file_name(onnx_file: str, variant: str) -> str:
    """``yolox.onnx`` -> ``yolox_nms_ort.onnx`` / ``yolox_nms_trt.onnx``."""
    stem = pathlib.PurePosixPath(onnx_file)
    return str(stem.with_name(f"{stem.stem}_nms_{'ort' if variant == 'onnx' else 'trt'}.onnx"))


class YoloxExportPipeline(ExportPipeline):
    """The framework's export of ``components.model`` followed by the requested NMS variants.

    Args:
        builder (YoloxComponentBuilder): Component builder.
        nms_variants (tuple[str, ...]): Variants to append ("onnx", "tensorrt").
        nms_args (dict): ``strides, num_classes, score_threshold, iou_threshold, max_output_boxes`` (the input
            shape is the traced one).
        contract (YoloxContract | None): Checked on every written graph (batch and input size). Defaults to none.
    """

    def __init__(
        self, builder: YoloxComponentBuilder, nms_variants: tuple[str, ...], nms_args: dict, contract=None
    ) -> None:
        super().__init__(builder)
        self.nms_variants = nms_variants
        self.nms_args = nms_args
        self.contract = contract

    def export_onnx(self, model, samples, sample_idx, components, config, out_dir, metadata=None):
        infos = super().export_onnx(model, samples, sample_idx, components, config, out_dir, metadata)
        component = components[self.component_builder.component_name]
        base = pathlib.Path(out_dir) / component.onnx_file
        pin_output_dims(base, self.component_builder.output_shape)
        written = [base]
        for variant in self.nms_variants:
            out = base.parent / nms_file_name(component.onnx_file, variant)
            append_nms(base, out, variant, input_shape=self.component_builder.input_shape, **self.nms_args)
            written.append(out)
        if self.contract is not None:
            import onnx

            from projects.yolox.contract import check_onnx_batch

            for path in written:
                check_onnx_batch(onnx.load(str(path), load_external_data=False), self.contract, path.name)
        return infos
