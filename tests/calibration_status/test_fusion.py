"""AWML's fused input (fusion.py): hand-derived pixels always; AWML's own transform when AWML_ROOT names a checkout.

Set ``AWML_ROOT=/path/to/AWML`` (with mmpretrain, cv2 and transforms3d importable) to compare against AWML's
``CalibrationClassificationTransform`` on the same sample, written to files by our own code.
"""

import os
import pathlib
import sys

import numpy as np
import pytest

from projects.calibration_status.dataset import CalibrationSamples
from projects.calibration_status.fusion import FusionSettings, fuse
from projects.calibration_status.runner import DEFAULT_EVAL_SET

K = np.array([[8.0, 0.0, 4.0], [0.0, 8.0, 3.0], [0.0, 0.0, 1.0]])  # 8 x 6 image, principal point (4, 3)
NO_DISTORTION = np.zeros(5)
IDENTITY = np.eye(4)  # the LiDAR frame is the camera frame: u = 8 x / z + 4, v = 8 y / z + 3


def _image():
    return (np.arange(6 * 8 * 3) % 256).astype(np.uint8).reshape(6, 8, 3)


def test_hand_derived_pixels_without_dilation():
    points = np.array(
        [
            [0.0, 0.0, 10.0, 50.0],  # u 4, v 3, depth 255 * 10 / 20 -> 0.5
            [0.0, 0.0, 8.0, 9.0],  # same pixel, nearer: wins (0.4, 9)
            [1.0, 0.0, 4.0, 100.0],  # u 6, v 3, depth 0.2
            [3.0, 0.0, 8.0, 7.0],  # u = 7 = W - 1 exactly: kept, depth 0.4
            [1.0, 0.0, 2.0, 1.0],  # u = 8 > W - 1: dropped
            [0.0, 1.0, 4.0, 3.0],  # v = 5 = H - 1: kept (row 5, col 4), depth 0.2
            [0.0, 1.5, 4.0, 3.0],  # v = 6: dropped
            [0.0, 0.0, 20.0, 5.0],  # depth == max_depth: dropped
            [0.0, 0.0, -5.0, 5.0],  # behind the camera: dropped
        ],
        dtype=np.float32,
    )
    settings = FusionSettings(max_depth=20.0, dilation_size=0, undistort=True)
    out = fuse(_image(), points, K, NO_DISTORTION, IDENTITY, settings)
    assert out.shape == (5, 6, 8) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:3], _image().transpose(2, 0, 1).astype(np.float32) / np.float32(255.0))
    depth, intensity = np.zeros((6, 8), np.float32), np.zeros((6, 8), np.float32)
    for (row, col), d, i in [((3, 4), 102.0, 9.0), ((3, 6), 51.0, 100.0), ((3, 7), 102.0, 7.0), ((5, 4), 51.0, 3.0)]:
        depth[row, col], intensity[row, col] = d, i
    np.testing.assert_array_equal(out[3], depth / np.float32(255.0))
    np.testing.assert_array_equal(out[4], intensity / np.float32(255.0))


def test_dilation_fills_clipped_patches_and_the_nearer_point_wins_overlaps():
    points = np.array([[-0.5, -0.375, 1.0, 10.0], [-1.0, -0.25, 2.0, 20.0]], np.float32)  # pixels (0, 0), (2, 0)
    out = fuse(_image(), points, K, NO_DISTORTION, IDENTITY, FusionSettings(max_depth=10.0, dilation_size=1))
    want = np.zeros((6, 8), np.float32)
    want[0:2, 0:2] = 10.0  # point 1 (depth 1, intensity 10): its 3 x 3 patch clipped at the corner
    want[2:4, 0:2] = 20.0  # point 2 (depth 2): row 1 overlaps, point 1 is nearer there
    np.testing.assert_array_equal(out[4], want / np.float32(255.0))
    assert out[3, 0, 0] == np.float32(np.float32(25.5) / np.float32(255.0)) and out[3, 3, 1] == np.float32(51.0 / 255)


def test_distortion_changes_the_image_and_projection_only_when_undistorting():
    sample = CalibrationSamples(DEFAULT_EVAL_SET, limit=1).get_sample(0)
    bgr = np.ascontiguousarray(sample["image"][..., ::-1])
    distortion = np.array([-0.2, 0.05, 0.001, -0.001, 0.0])
    args = (bgr, sample["points"], sample["intrinsics"])
    plain = fuse(*args, NO_DISTORTION, sample["extrinsics"])
    undistorted = fuse(*args, distortion, sample["extrinsics"])
    kept = fuse(*args, distortion, sample["extrinsics"], FusionSettings(undistort=False))
    assert not np.array_equal(plain[:3], undistorted[:3]) and np.array_equal(plain[:3], kept[:3])
    assert (plain[3] > 0).sum() > 500 and not np.array_equal(plain[3], kept[3])


@pytest.mark.skipif("AWML_ROOT" not in os.environ, reason="AWML_ROOT (an AWML checkout) is not given")
@pytest.mark.parametrize("dilation", [0, 1, 2])
def test_equal_to_awml_calibration_classification_transform(tmp_path, dilation):
    import cv2

    sys.path.insert(0, os.environ["AWML_ROOT"])
    module = "autoware_ml.calibration_classification.datasets.transforms.calibration_classification_transform"
    transform_cls = __import__(
        module, fromlist=["CalibrationClassificationTransform"]
    ).CalibrationClassificationTransform
    sample = CalibrationSamples(DEFAULT_EVAL_SET, limit=3).get_sample(2)
    bgr = np.ascontiguousarray(sample["image"][..., ::-1])
    distortion = np.array([-0.12, 0.03, 0.0005, -0.0007, 0.0])
    points = np.zeros((len(sample["points"]), 5), np.float32)
    points[:, :4] = sample["points"][:, :4]
    assert cv2.imwrite(str(tmp_path / "image.png"), bgr)
    points.tofile(tmp_path / "points.bin")
    info = {
        "sample_idx": 0,
        "image": {
            "img_path": "image.png",
            "cam2img": sample["intrinsics"].tolist(),
            "lidar2cam": sample["extrinsics"].tolist(),
            "distortion_coefficients": distortion.tolist(),
        },
        "lidar_points": {"lidar_path": "points.bin", "num_pts_feats": 5},
    }
    transform = transform_cls(
        transform_config={"crop_ratio": 0.6, "max_distortion": 0.001, "rgb_weight": 0.3},
        mode="test",
        max_depth=40.0,
        dilation_size=dilation,
        undistort=True,
        miscalibration_probability=0.0,
        enable_augmentation=False,
        data_root=str(tmp_path),
    )
    reference = transform.transform(info)["fused_img"]
    ours = fuse(bgr, points, sample["intrinsics"], distortion, sample["extrinsics"], FusionSettings(40.0, dilation))
    assert reference.shape == (96, 160, 5) and (reference[..., 3] > 0).sum() > 500
    np.testing.assert_array_equal(ours.transpose(1, 2, 0), reference)
    assert pathlib.Path(tmp_path / "image.png").is_file()
