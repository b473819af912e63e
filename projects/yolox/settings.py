"""The ``project`` section of a YOLOX deploy config as one frozen dataclass, read strictly.

Every key is read through :class:`awml_deploy.config.reader.SectionReader`: booleans must be booleans, numbers
finite and in range, ``nms`` a mapping with known keys; anything else is one line naming the key (exit 2) before
any work starts. Relative paths resolve against the current directory, else the repository root.
"""

from __future__ import annotations

import dataclasses
import pathlib

from awml_deploy.config.reader import (
    SectionReader,
    as_bool,
    as_choice,
    as_float,
    as_int,
    as_list,
    as_str,
    optional,
)
from awml_deploy.core.errors import expected

REPO_ROOT = pathlib.Path(__file__).absolute().parents[2]
NMS_VARIANTS = ("onnx", "tensorrt")
FLAVOURS = ("dynamic_batch", "autoware")
IOU_PRESETS = {"0.5": (0.5,), "0.5:0.95": tuple(round(0.5 + 0.05 * i, 2) for i in range(10))}


def resolve_path(value: str | None) -> pathlib.Path | None:
    """``value`` as a path: absolute, else relative to the CWD when it exists there, else to the repository root."""
    if value is None:
        return None
    path = pathlib.Path(value)
    if path.is_absolute() or path.exists():
        return path
    return REPO_ROOT / path


@dataclasses.dataclass(frozen=True)
class YoloxSettings:
    """Validated ``project`` settings.

    Attributes:
        model_config: mmdet YOLOX config file, or None for the embedded ``configs/yolox_pico_shapes.py``.
        data_dir: Folder with ``annotations.json`` + images, or None for the embedded set (when no
            ``runtime_io.info_file`` is given).
        num_images: Use only the first N images, or None for all.
        iou_thresholds: IoU thresholds of the 2D mAP.
        max_detections: Cap on detections per image after NMS (0 = none, as mmdet's YOLOX).
        class_names: Class names in index order, or None for the model config's.
        trust_checkpoint: Allow a full-pickle checkpoint (only for files you trust).
        cpu_threads: Intra-op threads of torch and ONNX Runtime on CPU, or None for the libraries' choice.
        nms_append: NMS variants written next to the main graph ("onnx", "tensorrt").
        nms_onnx_in_graph: The ONNX backend runs the NonMaxSuppression variant.
        nms_max_output_boxes: Boxes kept by the appended NMS (per class for onnx, per image for tensorrt).
        flavour: "dynamic_batch" (dynamic axis 0) or "autoware" (static batch, as autoware_tensorrt_yolox needs).
        batch_size: The static batch of the autoware flavour, or None for the dynamic flavour.
    """

    model_config: pathlib.Path | None = None
    data_dir: pathlib.Path | None = None
    num_images: int | None = None
    iou_thresholds: tuple[float, ...] = (0.5,)
    max_detections: int = 0
    class_names: tuple[str, ...] | None = None
    trust_checkpoint: bool = False
    cpu_threads: int | None = None
    nms_append: tuple[str, ...] = ()
    nms_onnx_in_graph: bool = False
    nms_max_output_boxes: int = 100
    flavour: str = "dynamic_batch"
    batch_size: int | None = None


def _iou_thresholds(value: object, path: str) -> tuple[float, ...]:
    if isinstance(value, str) and value in IOU_PRESETS:
        return IOU_PRESETS[value]
    if isinstance(value, (list, tuple)) and value:
        return tuple(as_float(v, f"{path}[{i}]", minimum=1e-6, maximum=1 - 1e-6) for i, v in enumerate(value))
    expected(path, "unsupported value", f"one of {'|'.join(IOU_PRESETS)} or a list of floats in (0, 1)", value)


def _class_names(value: object, path: str) -> tuple[str, ...]:
    names = tuple(as_str(v, f"{path}[{i}]") for i, v in enumerate(as_list(value, path, non_empty=True)))
    if len(set(names)) != len(names):
        expected(path, "duplicate class names", "unique names in class-index order", list(names))
    return names


def _variants(value: object, path: str) -> tuple[str, ...]:
    items = as_list(value, path)
    for i, item in enumerate(items):
        if item not in NMS_VARIANTS:
            expected(f"{path}[{i}]", "unknown variant", f"a list of {'|'.join(NMS_VARIANTS)}", item)
    return tuple(dict.fromkeys(items))


def parse_settings(project: object) -> YoloxSettings:
    """Reads the ``project`` section.

    Args:
        project (object): The raw section (a mapping; None = all defaults).

    Returns:
        YoloxSettings: The settings.
    """
    reader = SectionReader(project, "project")
    nms = SectionReader(reader.get("nms", lambda v, p: v, None), "project.nms")
    settings = YoloxSettings(
        model_config=resolve_path(reader.get("model_config", optional(as_str), None)),
        data_dir=resolve_path(reader.get("data_dir", optional(as_str), None)),
        num_images=reader.get("num_images", optional(as_int), None, minimum=1),
        iou_thresholds=reader.get("iou_thresholds", _iou_thresholds, (0.5,)),
        max_detections=reader.get("max_detections", as_int, 0, minimum=0),
        class_names=reader.get("class_names", optional(_class_names), None),
        trust_checkpoint=reader.get("trust_checkpoint", as_bool, False),
        cpu_threads=reader.get("cpu_threads", optional(as_int), None, minimum=1),
        nms_append=nms.get("append", _variants, ()),
        nms_onnx_in_graph=nms.get("onnx_in_graph", as_bool, False),
        nms_max_output_boxes=nms.get("max_output_boxes", as_int, 100, minimum=1, maximum=100_000),
        flavour=reader.get("flavour", as_choice, "dynamic_batch", FLAVOURS),
        batch_size=reader.get("batch_size", optional(as_int), None, minimum=1, maximum=1024),
    )
    nms.finish()
    reader.finish()
    if settings.nms_onnx_in_graph and "onnx" not in settings.nms_append:
        expected(
            "project.nms.onnx_in_graph",
            "needs the onnx variant",
            "'onnx' in project.nms.append",
            list(settings.nms_append),
        )
    if settings.flavour == "autoware" and settings.batch_size is None:
        settings = dataclasses.replace(settings, batch_size=1)
    if settings.flavour != "autoware" and settings.batch_size is not None:
        expected(
            "project.batch_size",
            "a static batch is for the autoware flavour",
            "project.flavour='autoware' (the dynamic_batch flavour takes its range from tensorrt_profile)",
            settings.batch_size,
        )
    for key in ("model_config", "data_dir"):
        path = getattr(settings, key)
        if path is not None and not (path.is_file() if key == "model_config" else path.is_dir()):
            kind = "file" if key == "model_config" else "folder"
            expected(f"project.{key}", "not found", f"an existing {kind}", str(path))
    return settings
