"""Preprocessing generated from the model config's mmdet test pipeline and data preprocessor.

:func:`build_preprocessing_pipeline` reads ``test_pipeline`` (``Resize`` with ``keep_ratio``, ``Pad`` with
``pad_to_square`` / ``size`` / ``size_divisor`` and ``pad_val``) and ``model.data_preprocessor`` (``mean``,
``std``, ``bgr_to_rgb``, ``pad_size_divisor``, ``pad_value``) and returns a NumPy + OpenCV callable that gives
the same tensor as mmdet's pipeline + ``DetDataPreprocessor`` — so the deployed pipeline and training agree by
construction. Transforms it does not know are an error, never silently skipped.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from awml_deploy.core.errors import fail

_IGNORED = {"LoadImageFromFile", "LoadAnnotations", "PackDetInputs"}  # I/O and packing only
_INTERPOLATIONS = {"nearest": 0, "bilinear": 1, "bicubic": 2, "area": 3, "lanczos": 4}  # cv2.INTER_*


@dataclasses.dataclass(frozen=True)
class ImageMeta:
    """What postprocessing needs to map boxes back to the original image.

    Attributes:
        ori_shape: Original (height, width).
        img_shape: Resized, unpadded (height, width).
        scale_factor: (w_scale, h_scale) from original to resized pixels.
        input_shape: Network input (height, width) after padding.
    """

    ori_shape: tuple[int, int]
    img_shape: tuple[int, int]
    scale_factor: tuple[float, float]
    input_shape: tuple[int, int]


@dataclasses.dataclass(frozen=True)
class PreprocessingPipeline:
    """Letterbox + normalisation as described by an mmdet test pipeline.

    Attributes:
        scale: Resize target (width, height) or None for no resize.
        keep_ratio: Whether Resize keeps the aspect ratio (mmcv ``imrescale``).
        interpolation: cv2 interpolation flag.
        pad_to_square: Pad to a square of the longer side.
        pad_size: Fixed pad (width, height) or None.
        pad_divisor: Pad transform's ``size_divisor`` (1 = none).
        pad_val: Value of the padded pixels (Pad transform, before normalisation).
        batch_pad_value: Value of the data preprocessor's divisor padding (after normalisation).
        mean: Per-channel mean or None.
        std: Per-channel std or None.
        bgr_to_rgb: Swap channels before normalising.
        pad_divisor_batch: The data preprocessor's ``pad_size_divisor`` (1 = none).
    """

    scale: tuple[int, int] | None
    keep_ratio: bool
    interpolation: int
    pad_to_square: bool
    pad_size: tuple[int, int] | None
    pad_divisor: int
    pad_val: float
    batch_pad_value: float
    mean: tuple[float, ...] | None
    std: tuple[float, ...] | None
    bgr_to_rgb: bool
    pad_divisor_batch: int = 1

    def __call__(self, image: np.ndarray) -> tuple[np.ndarray, ImageMeta]:
        """Preprocesses one image.

        Args:
            image (np.ndarray): uint8 [H, W, 3] in BGR order (as ``cv2.imread``).

        Returns:
            tuple[np.ndarray, ImageMeta]: float32 [1, 3, H', W'] network input and the geometry.
        """
        import cv2

        check_image(image)
        height, width = image.shape[:2]
        resized = image
        if self.scale is not None:
            if self.keep_ratio:
                long_side, short_side = max(self.scale), min(self.scale)
                ratio = min(long_side / max(height, width), short_side / min(height, width))
                new_size = (int(width * ratio + 0.5), int(height * ratio + 0.5))
            else:
                new_size = self.scale
            if new_size != (width, height):
                resized = cv2.resize(image, new_size, interpolation=self.interpolation)
        new_h, new_w = resized.shape[:2]
        target_h, target_w = new_h, new_w
        if self.pad_to_square:
            target_h = target_w = max(new_h, new_w)
        if self.pad_size is not None:
            target_w, target_h = self.pad_size
        target_h = math.ceil(target_h / self.pad_divisor) * self.pad_divisor
        target_w = math.ceil(target_w / self.pad_divisor) * self.pad_divisor
        padded = np.full((target_h, target_w, 3), self.pad_val, dtype=np.float32)
        padded[:new_h, :new_w] = resized
        tensor = padded[..., ::-1] if self.bgr_to_rgb else padded
        if self.mean is not None:
            tensor = (tensor - np.asarray(self.mean, np.float32)) / np.asarray(self.std, np.float32)
        batch_h = math.ceil(target_h / self.pad_divisor_batch) * self.pad_divisor_batch
        batch_w = math.ceil(target_w / self.pad_divisor_batch) * self.pad_divisor_batch
        out = np.full((1, 3, batch_h, batch_w), self.batch_pad_value, dtype=np.float32)
        out[0, :, :target_h, :target_w] = tensor.transpose(2, 0, 1)
        meta = ImageMeta(
            ori_shape=(height, width),
            img_shape=(new_h, new_w),
            scale_factor=(new_w / width, new_h / height),
            input_shape=(batch_h, batch_w),
        )
        return out, meta


def check_image(image) -> None:
    """Fails unless ``image`` is a uint8 [H, W, 3] array."""
    if not isinstance(image, np.ndarray):
        fail(f"yolox image | not an array. Note: expected np.ndarray uint8 [H, W, 3] (BGR), got {type(image).__name__}")
    if image.dtype != np.uint8:
        fail(f"yolox image | wrong dtype. Note: expected uint8 [H, W, 3] (BGR), got {image.dtype}")
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 1:
        fail(f"yolox image | wrong shape. Note: expected uint8 [H, W, 3] (BGR), got {list(image.shape)}")


def _pad_value(value) -> float:
    if isinstance(value, dict):
        value = value.get("img", 0)
    values = {float(v) for v in value} if isinstance(value, (list, tuple)) else {float(value)}
    if len(values) != 1:
        fail(f"yolox preprocessing | per-channel pad_val is not supported. Note: expected one value, got {value}")
    return values.pop()


def build_preprocessing_pipeline(model_cfg) -> PreprocessingPipeline:
    """Builds the deploy preprocessing from an mmdet config.

    Args:
        model_cfg: mmengine ``Config`` (or mapping) with ``test_pipeline`` and ``model.data_preprocessor``.

    Returns:
        PreprocessingPipeline: The callable.
    """
    steps = model_cfg.get("test_pipeline")
    if not steps:
        fail("yolox model config | test_pipeline is missing. Note: expected a list of mmdet transforms, got none")
    fields: dict = {
        "scale": None,
        "keep_ratio": False,
        "interpolation": _INTERPOLATIONS["bilinear"],
        "pad_to_square": False,
        "pad_size": None,
        "pad_divisor": 1,
        "pad_val": 0.0,
    }
    for step in steps:
        kind = step.get("type")
        if kind in _IGNORED:
            continue
        if kind == "Resize":
            scale = step.get("scale")
            fields["scale"] = (int(scale), int(scale)) if isinstance(scale, (int, float)) else tuple(map(int, scale))
            fields["keep_ratio"] = bool(step.get("keep_ratio", False))
            interp = step.get("interpolation", "bilinear")
            if interp not in _INTERPOLATIONS:
                fail(
                    f"yolox test_pipeline | Resize.interpolation unknown. Note: expected one of "
                    f"{'|'.join(_INTERPOLATIONS)}, got {interp!r}"
                )
            fields["interpolation"] = _INTERPOLATIONS[interp]
        elif kind == "Pad":
            fields["pad_to_square"] = bool(step.get("pad_to_square", False))
            size = step.get("size")
            fields["pad_size"] = tuple(map(int, size)) if size is not None else None
            fields["pad_divisor"] = int(step.get("size_divisor") or 1)
            fields["pad_val"] = _pad_value(step.get("pad_val", 0))
        else:
            fail(
                f"yolox test_pipeline | unsupported transform {kind!r}. Note: expected one of "
                f"Resize|Pad|{'|'.join(sorted(_IGNORED))}, got {kind!r}"
            )
    pre = dict(model_cfg["model"].get("data_preprocessor") or {})
    mean, std = pre.get("mean"), pre.get("std")
    if (mean is None) != (std is None):
        fail(
            "yolox data_preprocessor | mean and std must be given together. Note: expected both or neither, "
            f"got mean={mean}, std={std}"
        )
    return PreprocessingPipeline(
        **fields,
        batch_pad_value=float(pre.get("pad_value", 0)),
        mean=tuple(map(float, mean)) if mean is not None else None,
        std=tuple(map(float, std)) if std is not None else None,
        bgr_to_rgb=bool(pre.get("bgr_to_rgb", False) or pre.get("rgb_to_bgr", False)),
        pad_divisor_batch=int(pre.get("pad_size_divisor", 1)),
    )
