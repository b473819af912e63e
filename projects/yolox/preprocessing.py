"""YOLOX preprocessing: the model config's mmdet test pipeline + data preprocessor, as the framework's transforms.

Every ``test_pipeline`` step and ``model.data_preprocessor`` goes through the framework's transform registry
(:mod:`awml_deploy.preprocessing.image`), which reproduces mmdet's arrays in NumPy + OpenCV; a transform it does
not know is a one-line error naming it, never silently skipped.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from awml_deploy.core.errors import expected


@dataclasses.dataclass(frozen=True)
class ImageMeta:
    """What postprocessing needs to map boxes back to the original image.

    Attributes:
        ori_shape: Original (height, width).
        img_shape: (height, width) after the pipeline (mmdet's meaning: the padded size once ``Pad`` ran).
        scale_factor: (w_scale, h_scale) from original to resized pixels.
        input_shape: Network input (height, width) after the data preprocessor's padding.
    """

    ori_shape: tuple[int, int]
    img_shape: tuple[int, int]
    scale_factor: tuple[float, float]
    input_shape: tuple[int, int]


@dataclasses.dataclass(frozen=True)
class PreprocessingPipeline:
    """image → (network input, :class:`ImageMeta`).

    Attributes:
        transforms: The test pipeline's transforms, then the data preprocessor's.
        names: Their mmdet type names (for messages and the report).
    """

    transforms: tuple
    names: tuple[str, ...]

    def __call__(self, image: np.ndarray) -> tuple[np.ndarray, ImageMeta]:
        """Preprocesses one image.

        Args:
            image (np.ndarray): uint8 [H, W, 3] in BGR order (as ``cv2.imread``).

        Returns:
            tuple[np.ndarray, ImageMeta]: float32 [1, 3, H', W'] network input and the geometry.
        """
        from awml_deploy.preprocessing.image import check_image

        results = {"img": check_image(image, "yolox image")}
        for transform in self.transforms:
            results = transform(results)
        meta = ImageMeta(
            ori_shape=tuple(results["ori_shape"]),
            img_shape=tuple(results["img_shape"]),
            scale_factor=tuple(results.get("scale_factor", (1.0, 1.0))),
            input_shape=tuple(results["batch_input_shape"]),
        )
        return results["inputs"], meta


def build_preprocessing_pipeline(model_cfg) -> PreprocessingPipeline:
    """Builds the deploy preprocessing from an mmdet config through the framework's builder.

    Args:
        model_cfg: mmengine ``Config`` (or mapping) with a test pipeline and ``model.data_preprocessor``.

    Returns:
        PreprocessingPipeline: The callable.
    """
    from awml_deploy.preprocessing.builder import build_preprocessing_pipeline as build

    pipeline = build(model_cfg, data_preprocessor=True)
    if pipeline.names[0] != "LoadImageFromFile":
        expected(
            f"{pipeline.source}[0].type",
            "the pipeline must start by loading the image",
            "LoadImageFromFile",
            pipeline.names[0],
        )
    return PreprocessingPipeline(tuple(t for _, t in pipeline.transforms), pipeline.names)
