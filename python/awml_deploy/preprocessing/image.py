"""MMDet 2D test-pipeline transforms in NumPy + OpenCV: the same arrays as mmdet/mmcv give, without mm* at deploy.

Registered under mmdet's type names (see :mod:`awml_deploy.preprocessing.registry`); each works on an
mmengine-style results dict:

* ``LoadImageFromFile``: ``img_path`` → ``img`` uint8 [H, W, 3] BGR (``cv2.imread`` colour, as mmcv's cv2
  backend); an ``img`` already in the results (a decoded frame) is checked and kept. Sets ``ori_shape``,
  ``img_shape``.
* ``Resize`` (``scale``, ``keep_ratio``, ``interpolation``): mmcv ``imrescale`` / ``imresize`` rounding; sets
  ``img_shape``, ``scale_factor`` (w, h), ``keep_ratio``.
* ``Pad`` (``size`` | ``size_divisor`` | ``pad_to_square``, ``pad_val``): bottom/right constant padding; sets
  ``pad_shape`` and, as mmdet does, ``img_shape`` to the padded size.
* ``DetDataPreprocessor`` (the model's ``data_preprocessor``: ``mean``, ``std``, ``bgr_to_rgb``/``rgb_to_bgr``,
  ``pad_size_divisor``, ``pad_value``): ``inputs`` float32 [1, 3, H', W'] and ``batch_input_shape``. Batch
  augments run only in training in mmdet and are ignored here, as at test time.
* ``LoadAnnotations``, ``PackDetInputs``: nothing to do at deploy time (ground truth comes from the data source).

A config key a transform does not support is one line naming it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from awml_deploy.config.reader import SectionReader, as_bool, as_choice, as_float, as_int, as_list, optional
from awml_deploy.core.errors import expected
from awml_deploy.preprocessing.registry import Transform, register_transform

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "area", "lanczos")


def _cv2_interpolation(name: str) -> int:
    import cv2

    return {
        "nearest": cv2.INTER_NEAREST,
        "bilinear": cv2.INTER_LINEAR,
        "bicubic": cv2.INTER_CUBIC,
        "area": cv2.INTER_AREA,
        "lanczos": cv2.INTER_LANCZOS4,
    }[name]


def check_image(image: object, path: str) -> np.ndarray:
    """Fails unless ``image`` is a uint8 [H, W, 3] array (BGR, as ``cv2.imread`` gives)."""
    if not isinstance(image, np.ndarray):
        expected(path, "not an array", "np.ndarray uint8 [H, W, 3] (BGR)", type(image).__name__)
    if image.dtype != np.uint8:
        expected(path, "wrong dtype", "uint8 [H, W, 3] (BGR)", str(image.dtype))
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 1:
        expected(path, "wrong shape", "uint8 [H, W, 3] (BGR)", list(image.shape))
    return image


def _choice_only(value: object, path: str, allowed: object) -> object:
    if value != allowed:
        expected(path, "not supported at deploy time", repr(allowed), value)
    return value


def _accept(value: object, path: str) -> object:
    return value


@register_transform("LoadImageFromFile")
def load_image_from_file(config: Mapping[str, Any], path: str) -> Transform:
    """``LoadImageFromFile`` (colour, cv2 backend, local files)."""
    reader = SectionReader(config, path)
    reader.get("type", _accept)
    to_float32 = reader.get("to_float32", as_bool, False)
    reader.get("color_type", _choice_only, "color", "color")
    reader.get("imdecode_backend", _choice_only, "cv2", "cv2")
    reader.get("backend_args", _choice_only, None, None)
    reader.get("ignore_empty", as_bool, False)
    reader.finish()

    def transform(results: dict) -> dict:
        if results.get("img") is None:
            import cv2

            image = cv2.imread(str(results.get("img_path")), cv2.IMREAD_COLOR)
            if image is None:
                expected(f"{path} img_path", "cannot read the image", "a readable image file", results.get("img_path"))
        else:
            image = check_image(results["img"], f"{path} img")
        if to_float32:
            image = image.astype(np.float32)
        return {**results, "img": image, "ori_shape": image.shape[:2], "img_shape": image.shape[:2]}

    return transform


@register_transform("LoadAnnotations", "PackDetInputs")
def deploy_noop(config: Mapping[str, Any], path: str) -> Transform:
    """Annotation loading and packing: the data source gives the ground truth, the pipeline keeps the results."""
    SectionReader(config, path)  # a mapping; its keys describe training-time outputs
    return lambda results: results


def _scale(value: object, path: str) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (as_int(value, path, minimum=1),) * 2
    items = as_list(value, path)
    if len(items) != 2:
        expected(path, "must be an int or (width, height)", "e.g. (960, 960)", value)
    return tuple(as_int(v, f"{path}[{i}]", minimum=1) for i, v in enumerate(items))


@register_transform("Resize")
def resize(config: Mapping[str, Any], path: str) -> Transform:
    """``Resize`` with ``scale`` (keep_ratio as mmcv ``imrescale``, else ``imresize`` to (w, h))."""
    import cv2

    reader = SectionReader(config, path)
    reader.get("type", _accept)
    scale = reader.get("scale", _scale)
    reader.get("scale_factor", _choice_only, None, None)
    keep_ratio = reader.get("keep_ratio", as_bool, False)
    reader.get("clip_object_border", as_bool, True)
    reader.get("backend", _choice_only, "cv2", "cv2")
    interpolation = _cv2_interpolation(reader.get("interpolation", as_choice, "bilinear", INTERPOLATIONS))
    reader.finish()

    def transform(results: dict) -> dict:
        image = results["img"]
        height, width = image.shape[:2]
        if keep_ratio:
            ratio = min(max(scale) / max(height, width), min(scale) / min(height, width))
            size = (int(width * float(ratio) + 0.5), int(height * float(ratio) + 0.5))
        else:
            size = scale
        out = cv2.resize(image, size, interpolation=interpolation)
        new_h, new_w = out.shape[:2]
        return {
            **results,
            "img": out,
            "img_shape": (new_h, new_w),
            "scale_factor": (new_w / width, new_h / height),
            "keep_ratio": keep_ratio,
        }

    return transform


def _pad_value(value: object, path: str) -> tuple[float, ...]:
    if isinstance(value, Mapping):
        value = value.get("img", 0)
        path = f"{path}.img"
    if isinstance(value, (list, tuple)):
        values = tuple(as_float(v, f"{path}[{i}]") for i, v in enumerate(value))
        if len(values) != 3:
            expected(path, "one value per channel", "a number or 3 numbers", list(value))
        return values
    return (as_float(value, path),) * 3


@register_transform("Pad")
def pad(config: Mapping[str, Any], path: str) -> Transform:
    """``Pad`` bottom/right to ``size`` (w, h), to a multiple of ``size_divisor`` or to a square."""
    import cv2

    reader = SectionReader(config, path)
    reader.get("type", _accept)
    size = reader.get("size", optional(_scale), None)
    divisor = reader.get("size_divisor", optional(as_int), None, minimum=1)
    square = reader.get("pad_to_square", as_bool, False)
    value = reader.get("pad_val", _pad_value, (0.0, 0.0, 0.0))
    reader.get("padding_mode", _choice_only, "constant", "constant")
    reader.finish()
    if square and (size is not None or divisor is not None):
        expected(path, "pad_to_square excludes size and size_divisor (as mmcv's Pad)", "one of them", dict(config))
    if size is not None and divisor is not None:
        expected(path, "size and size_divisor are exclusive (as mmcv's Pad)", "one of them", dict(config))
    if size is None and divisor is None and not square:
        expected(path, "nothing to pad to", "size, size_divisor or pad_to_square", dict(config))

    def transform(results: dict) -> dict:
        image = results["img"]
        height, width = image.shape[:2]
        target = (max(height, width),) * 2 if square else (height, width)
        if divisor is not None:
            target = tuple(math.ceil(t / divisor) * divisor for t in target)
        elif size is not None:
            target = (size[1], size[0])
        if target[0] < height or target[1] < width:
            expected(f"{path}.size", "smaller than the image", f"at least {[width, height]}", [target[1], target[0]])
        out = cv2.copyMakeBorder(image, 0, target[0] - height, 0, target[1] - width, cv2.BORDER_CONSTANT, value=value)
        return {**results, "img": out, "pad_shape": out.shape, "img_shape": out.shape[:2]}

    return transform


def _channels(value: object, path: str) -> tuple[float, ...]:
    items = tuple(as_float(v, f"{path}[{i}]") for i, v in enumerate(as_list(value, path)))
    if len(items) not in (1, 3):
        expected(path, "one value or one per channel", "1 or 3 numbers", list(items))
    return items


@register_transform("DetDataPreprocessor")
def det_data_preprocessor(config: Mapping[str, Any], path: str) -> Transform:
    """The model's ``data_preprocessor``: HWC image → float32 [1, 3, H', W'] as mmdet's ``DetDataPreprocessor``."""
    reader = SectionReader(config, path)
    reader.get("type", _accept)
    mean = reader.get("mean", optional(_channels), None)
    std = reader.get("std", optional(_channels), None)
    swap = reader.get("bgr_to_rgb", as_bool, False)
    swap = reader.get("rgb_to_bgr", as_bool, False) or swap
    divisor = reader.get("pad_size_divisor", as_int, 1, minimum=1)
    pad_value = reader.get("pad_value", as_float, 0.0)
    for ignored in ("batch_augments", "boxtype2tensor", "non_blocking", "pad_mask", "mask_pad_value", "pad_seg"):
        reader.get(ignored, _accept, None)  # training-time or mask/segmentation options: no effect on the image
    reader.get("seg_pad_value", _accept, None)
    reader.finish()
    if (mean is None) != (std is None):
        expected(path, "mean and std go together", "both or neither", {"mean": mean, "std": std})
    if std is not None and any(s == 0 for s in std):
        expected(f"{path}.std", "zero std", "non-zero values", list(std))
    mean_arr = None if mean is None else np.asarray(mean, np.float32).reshape(-1, 1, 1)
    std_arr = None if std is None else np.asarray(std, np.float32).reshape(-1, 1, 1)

    def transform(results: dict) -> dict:
        chw = np.ascontiguousarray(results["img"].transpose(2, 0, 1))
        if swap:
            chw = chw[[2, 1, 0]]
        tensor = chw.astype(np.float32)
        if mean_arr is not None:
            tensor = (tensor - mean_arr) / std_arr
        height, width = tensor.shape[1:]
        out_h, out_w = math.ceil(height / divisor) * divisor, math.ceil(width / divisor) * divisor
        batch = np.full((1, 3, out_h, out_w), pad_value, np.float32)
        batch[0, :, :height, :width] = tensor
        return {**results, "inputs": batch, "batch_input_shape": (out_h, out_w)}

    return transform
