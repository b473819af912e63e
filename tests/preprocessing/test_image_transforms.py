"""The 2D transforms equal mmdet's/mmcv's own transforms and DetDataPreprocessor on the same image files."""

import copy

import numpy as np
import pytest
import torch

import awml_deploy.preprocessing.image  # noqa: F401 - registers the transforms
from awml_deploy.core.errors import DeployError
from awml_deploy.preprocessing.registry import transform_factory

SIZES = [(375, 500), (1080, 1920), (600, 400), (97, 1003)]  # (H, W)


@pytest.fixture(scope="module")
def image_files(tmp_path_factory):
    """Random-texture PNGs of several sizes and aspect ratios, plus one JPEG (lossy decode path)."""
    import cv2

    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("images")
    files = []
    for h, w in SIZES:
        base = rng.integers(0, 256, (h // 8 + 1, w // 8 + 1, 3), dtype=np.uint8)
        image = cv2.resize(base, (w, h), interpolation=cv2.INTER_CUBIC)  # smooth areas and edges, not only noise
        image[rng.random((h, w)) < 0.05] = 255
        path = folder / f"img_{h}x{w}.png"
        cv2.imwrite(str(path), image)
        files.append(path)
    jpeg = folder / "img_480x640.jpg"
    cv2.imwrite(str(jpeg), cv2.resize(cv2.imread(str(files[0])), (640, 480)), [cv2.IMWRITE_JPEG_QUALITY, 90])
    return [*files, jpeg]


def _ours(configs, results):
    for i, cfg in enumerate(configs):
        results = transform_factory(cfg["type"], f"test_pipeline[{i}].type")(cfg, f"test_pipeline[{i}]")(results)
    return results


def _mmdet(configs, results):
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope

    init_default_scope("mmdet")
    return Compose(copy.deepcopy(configs))(results)


def _same(ours, theirs, keys):
    for key in keys:
        got, want = ours[key], theirs[key]
        if isinstance(want, np.ndarray):
            assert got.dtype == want.dtype and got.shape == want.shape, key
            np.testing.assert_array_equal(got, want, err_msg=key)
        else:
            assert tuple(np.atleast_1d(got)) == tuple(np.atleast_1d(want)), key


LOAD = {"type": "LoadImageFromFile"}


def test_load_image_equals_mmdet(image_files):
    for path in image_files:
        ours = _ours([LOAD], {"img_path": str(path)})
        _same(ours, _mmdet([LOAD], {"img_path": str(path)}), ("img", "ori_shape", "img_shape"))


@pytest.mark.parametrize(
    "resize",
    [
        {"type": "Resize", "scale": (960, 960), "keep_ratio": True},
        {"type": "Resize", "scale": (640, 384), "keep_ratio": True},
        {"type": "Resize", "scale": (640, 384), "keep_ratio": False},
        {"type": "Resize", "scale": 416, "keep_ratio": True, "interpolation": "area"},
        {"type": "Resize", "scale": (300, 500), "keep_ratio": False, "interpolation": "nearest"},
        {"type": "Resize", "scale": (512, 512), "keep_ratio": True, "interpolation": "bicubic"},
    ],
)
def test_resize_equals_mmdet(image_files, resize):
    for path in image_files:
        pipeline = [LOAD, resize]
        ours, theirs = _ours(pipeline, {"img_path": str(path)}), _mmdet(pipeline, {"img_path": str(path)})
        _same(ours, theirs, ("img", "img_shape", "scale_factor", "keep_ratio"))


@pytest.mark.parametrize(
    "pad",
    [
        {"type": "Pad", "pad_to_square": True, "pad_val": {"img": (114.0, 114.0, 114.0)}},
        {"type": "Pad", "size_divisor": 32},
        {"type": "Pad", "size_divisor": 32, "pad_val": {"img": (1, 2, 3)}},
        {"type": "Pad", "size": (1000, 700), "pad_val": 7},
    ],
)
def test_pad_equals_mmdet(image_files, pad):
    resize = {"type": "Resize", "scale": (640, 640), "keep_ratio": True}
    for path in image_files:
        pipeline = [LOAD, resize, pad]
        ours, theirs = _ours(pipeline, {"img_path": str(path)}), _mmdet(pipeline, {"img_path": str(path)})
        _same(ours, theirs, ("img", "img_shape", "pad_shape", "scale_factor"))


@pytest.mark.parametrize(
    "preprocessor",
    [
        {"type": "DetDataPreprocessor", "pad_size_divisor": 32},
        {
            "type": "DetDataPreprocessor",
            "mean": [123.675, 116.28, 103.53],
            "std": [58.395, 57.12, 57.375],
            "bgr_to_rgb": True,
            "pad_size_divisor": 32,
            "pad_value": 0,
        },
        {
            "type": "DetDataPreprocessor",
            "mean": [0, 0, 0],
            "std": [255.0, 255.0, 255.0],
            "pad_size_divisor": 64,
            "pad_value": 114,
            "batch_augments": [{"type": "BatchSyncRandomResize", "random_size_range": (480, 800), "size_divisor": 32}],
        },
    ],
)
def test_data_preprocessor_equals_mmdet(image_files, preprocessor):
    """A whole test pipeline (AWML's YOLOX one, 960²) + the data preprocessor vs mmdet's Compose + module."""
    from mmdet.registry import MODELS

    pipeline = [
        LOAD,
        {"type": "Resize", "scale": (960, 960), "keep_ratio": True},
        {"type": "Pad", "size_divisor": 32, "pad_val": {"img": (114.0, 114.0, 114.0)}},
        {"type": "LoadAnnotations", "with_bbox": True},
        {"type": "PackDetInputs", "meta_keys": ("img_id", "img_path", "ori_shape", "img_shape", "scale_factor")},
    ]
    module = MODELS.build(copy.deepcopy(preprocessor))
    for path in image_files:
        packed = _mmdet(pipeline, {"img_path": str(path), "img_id": 0})
        with torch.no_grad():
            batch = module({"inputs": [packed["inputs"]], "data_samples": [packed["data_samples"]]}, False)
        ours = _ours([*pipeline, preprocessor], {"img_path": str(path)})
        want = batch["inputs"].numpy()
        assert ours["inputs"].dtype == want.dtype == np.float32 and ours["inputs"].shape == want.shape
        np.testing.assert_array_equal(ours["inputs"], want)
        assert tuple(ours["batch_input_shape"]) == tuple(batch["data_samples"][0].batch_input_shape)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"type": "Resize", "scale": (640, 640), "colour": 1}, "test_pipeline[0].colour | unknown key"),
        ({"type": "Resize", "scale": (640, 640), "keep_ratio": "yes"}, "test_pipeline[0].keep_ratio | must be a bool"),
        ({"type": "Resize", "scale": (640, 640), "interpolation": "magic"}, "test_pipeline[0].interpolation | unknown"),
        ({"type": "Resize", "scale_factor": 0.5}, "test_pipeline[0].scale | required key is missing"),
        (
            {"type": "Pad", "size_divisor": 32, "padding_mode": "reflect"},
            "test_pipeline[0].padding_mode | not supported",
        ),
        ({"type": "Pad", "pad_to_square": True, "size_divisor": 32}, "test_pipeline[0] | pad_to_square excludes"),
        ({"type": "Pad"}, "test_pipeline[0] | nothing to pad to"),
        ({"type": "DetDataPreprocessor", "mean": [1, 2, 3]}, "test_pipeline[0] | mean and std go together"),
        ({"type": "LoadImageFromFile", "color_type": "grayscale"}, "test_pipeline[0].color_type | not supported"),
        ({"type": "RandomFlip", "prob": 0.5}, "test_pipeline[0].type | unsupported transform"),
    ],
)
def test_unsupported_settings_are_one_line(config, message):
    with pytest.raises(DeployError) as info:
        _ours([config], {"img": np.zeros((8, 8, 3), np.uint8)})
    assert str(info.value).startswith(message) and "\n" not in str(info.value)
