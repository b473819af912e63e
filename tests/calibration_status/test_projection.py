"""Projection geometry against hand-computed points, rasterisation, camera rig, renderer and input validation."""

import math

import numpy as np
import pytest

from awml_deploy.core.errors import DeployError
from awml_deploy.datasets.synthetic_lidar import SceneSpec
from projects.calibration_status.camera import CameraSpec, camera_rig, render_camera
from projects.calibration_status.projection import (
    PreprocessSettings,
    build_input,
    check_extrinsics,
    check_intrinsics,
    lidar_channels,
    project_points,
    rasterize,
)

K = np.array([[100.0, 0.0, 50.0], [0.0, 100.0, 40.0], [0.0, 0.0, 1.0]])
# Camera at (0, 0, 1.6) in the LiDAR frame, looking along +x: cam x = -lidar y, cam y = -lidar z, cam z = lidar x.
T = np.array([[0.0, -1.0, 0.0, 0.0], [0.0, 0.0, -1.0, 1.6], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]])


def test_project_points_matches_hand_computed_pixels():
    xyz = np.array(
        [
            [10.0, 0.0, 1.6],  # on the optical axis: u = cx = 50, v = cy = 40
            [10.0, 1.0, 1.6],  # 1 m left at 10 m: u = 50 - 100 * 1 / 10 = 40
            [5.0, -1.0, 0.6],  # cam (1, 1, 5): u = 50 + 20 = 70, v = 40 + 20 = 60
            [4.0, -0.42, 1.0],  # cam (0.42, 0.6, 4): u = 60.5, v = 55
            [-5.0, 0.0, 1.6],  # behind the camera
            [1.0, -5.0, 1.6],  # u = 550: right of the image
            [0.3, 0.0, 1.6],  # closer than min_depth
        ]
    )
    row, col, depth, valid = project_points(xyz, K, T, height=80, width=100, min_depth=0.5)
    assert valid.tolist() == [True, True, True, True, False, False, False]
    assert col[:4].tolist() == [50, 40, 70, 60] and row[:4].tolist() == [40, 40, 60, 55]
    np.testing.assert_allclose(depth[:4], [10.0, 10.0, 5.0, 4.0])


def test_pixel_boundaries_follow_floor_convention():
    # u = 50 + 100 * y_cam / 10 exactly on the boundary 59.0 and just below it.
    xyz = np.array([[10.0, -0.9, 1.6], [10.0, -0.8999, 1.6], [10.0, 5.0, 1.6]])  # last: u = 0 - 0 = 0 -> col 0
    _, col, _, valid = project_points(xyz, K, T, 80, 100, 0.5)
    assert valid.all() and col.tolist() == [59, 58, 0]


def test_rasterize_keeps_the_nearest_point_per_pixel():
    row = np.array([3, 3, 3, 0])
    col = np.array([2, 2, 2, 0])
    depth = np.array([7.0, 5.0, 5.0, 2.0])
    values = np.array([0.1, 0.2, 0.3, 0.4])
    depth_map, value_map = rasterize(row, col, depth, values, 4, 5)
    assert depth_map[3, 2] == 5.0 and value_map[3, 2] == pytest.approx(0.2)  # tie: lower index wins
    assert depth_map[0, 0] == 2.0 and value_map[0, 0] == pytest.approx(0.4)
    assert np.count_nonzero(depth_map) == 2


def test_lidar_channels_scale_depth_and_drop_far_points():
    settings = PreprocessSettings(height=80, width=100, max_depth=20.0)
    # float32 input: keep points off pixel boundaries.
    points = np.array([[10.0, 0.05, 1.45, 0.5], [5.0, -1.025, 0.575, 0.25], [30.0, 0.0, 1.5, 0.9]], dtype=np.float32)
    channels = lidar_channels(points, K, T, settings)
    assert channels.shape == (2, 80, 100) and channels.dtype == np.float32
    # (10, 0.05, 1.45): cam (-0.05, 0.15, 10) -> u = 49.5, v = 41.5; (5, -1.025, 0.575) -> u = 70.5, v = 60.5
    assert channels[0, 41, 49] == pytest.approx(0.5) and channels[1, 41, 49] == pytest.approx(0.5)
    assert channels[0, 60, 70] == pytest.approx(0.25) and channels[1, 60, 70] == pytest.approx(0.25)
    assert np.count_nonzero(channels[0]) == 2  # the 30 m point is beyond max_depth


def test_build_input_normalises_rgb():
    settings = PreprocessSettings(height=80, width=100, mean=(10.0, 20.0, 30.0), std=(2.0, 4.0, 5.0))
    image = np.zeros((80, 100, 3), dtype=np.uint8)
    image[..., 1] = 60
    x = build_input(image, np.zeros((0, 4), np.float32), K, T, settings)
    assert x.shape == (5, 80, 100) and x.dtype == np.float32
    assert x[0, 0, 0] == -5.0 and x[1, 0, 0] == 10.0 and x[2, 0, 0] == -6.0 and not x[3:].any()


def test_camera_rig_extrinsics_put_the_optical_axis_on_plus_z():
    for camera, yaw in zip(camera_rig(), (0.0, 90.0, 180.0, 270.0), strict=True):
        t = check_extrinsics(camera.extrinsics)
        origin = t[:3, :3] @ np.asarray(camera.position) + t[:3, 3]
        np.testing.assert_allclose(origin, 0.0, atol=1e-12)
        pitch = math.radians(camera.pitch_deg)
        ahead = np.asarray(camera.position) + 10.0 * np.array(
            [
                math.cos(math.radians(yaw)) * math.cos(pitch),
                math.sin(math.radians(yaw)) * math.cos(pitch),
                -math.sin(pitch),
            ]
        )
        np.testing.assert_allclose(t[:3, :3] @ ahead + t[:3, 3], [0.0, 0.0, 10.0], atol=1e-9)


def test_renderer_sees_the_box_where_the_lidar_projection_puts_it():
    camera = CameraSpec("front", pitch_deg=0.0)
    box = np.array([[10.0, 0.0, 1.0, 2.0, 2.0, 2.0, 0.0]])  # 2 m cube straight ahead, front face at x = 9
    scene = SceneSpec(seed=1, boxes=box, semantic=np.array([1]))
    image = render_camera(scene, camera)
    assert image.shape == (96, 160, 3) and image.dtype == np.uint8
    # Centre pixel hits the car (red), a pixel high up is sky (blue dominant), the bottom row is ground (grey).
    centre = image[48, 80].astype(int)
    assert centre[0] > centre[1] + 20 and centre[0] > centre[2] + 20
    sky = image[2, 5].astype(int)
    assert sky[2] > sky[0] + 20
    ground = image[95, 5].astype(int)
    assert abs(ground[0] - ground[2]) < 30
    # The cube's left edge (y = +1 at x = 9) projects to u = 80 - 80 * 1 / 9 = 71.1.
    xyz = np.array([[9.0, 0.999, 1.6]])
    _, col, _, valid = project_points(xyz, camera.intrinsics, camera.extrinsics, 96, 160, 0.5)
    assert valid[0] and col[0] == 71
    left, right = image[48, 70].astype(int), image[48, 72].astype(int)
    assert right[0] > right[2] + 20 and not left[0] > left[2] + 20


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (np.eye(2), "intrinsics | not a finite 3x3 matrix"),
        ([[-100.0, 0, 50], [0, 100, 40], [0, 0, 1]], "intrinsics | focal lengths must be positive"),
        ([[100.0, 0, 500], [0, 100, 40], [0, 0, 1]], "intrinsics | principal point outside the image"),
        ([[100.0, 0, 50], [0, 100, 40], [0, 1, 1]], "intrinsics | not a pinhole matrix"),
        ([[np.nan, 0, 50], [0, 100, 40], [0, 0, 1]], "intrinsics | not a finite 3x3 matrix"),
    ],
)
def test_bad_intrinsics_fail_on_one_line(matrix, message):
    with pytest.raises(DeployError) as info:
        check_intrinsics(matrix, 80, 100)
    assert str(info.value).startswith(message) and "Note: expected" in str(info.value)
    assert "\n" not in str(info.value) and info.value.exit_code == 2


def test_bad_extrinsics_images_and_points_fail_on_one_line():
    scaled = T.copy()
    scaled[:3, :3] *= 2.0
    reflected = T.copy()
    reflected[0, :3] *= -1.0
    settings = PreprocessSettings(height=80, width=100)
    image = np.zeros((80, 100, 3), np.uint8)
    cases = [
        (lambda: check_extrinsics(scaled), "extrinsics | not a rigid transform"),
        (lambda: check_extrinsics(reflected), "extrinsics | rotation is a reflection"),
        (lambda: check_extrinsics(np.eye(3)), "extrinsics | not a finite 4x4 matrix"),
        (
            lambda: build_input(image[:, :50], np.zeros((0, 4), np.float32), K, T, settings),
            "image | wrong image layout",
        ),
        (lambda: build_input(image, np.zeros((5, 3), np.float32), K, T, settings), "points | bad point cloud"),
        (lambda: build_input(image, np.full((2, 4), np.inf, np.float32), K, T, settings), "points | non-finite"),
    ]
    for call, message in cases:
        with pytest.raises(DeployError) as info:
            call()
        assert str(info.value).startswith(message), str(info.value)
