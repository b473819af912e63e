"""The Python door's contract: shapes and dtypes in and out, edge cases, and one clear error per bad input."""

from __future__ import annotations

import numpy as np
import pytest

from awml_deploy import kernels
from awml_deploy.core.errors import DeployError

RANGE = [-76.8, -76.8, -4.0, 76.8, 76.8, 6.0]
VOXEL = [0.32, 0.32, 10.0]


def test_empty_cloud_gives_no_pillars() -> None:
    p = kernels.voxelize(np.zeros((0, 4), np.float32), point_cloud_range=RANGE, voxel_size=VOXEL)
    assert p.pillar_points.shape == (0, 32, 4)
    assert p.coords.shape == (0, 3) and p.coords.dtype == np.int32
    assert p.counters == {
        "pillar_count": 0,
        "pillars_dropped": 0,
        "points_dropped_pillar_full": 0,
        "points_dropped_no_pillar": 0,
        "points_out_of_range": 0,
    }
    feats = kernels.pillar_features(
        p.pillar_points, p.points_per_pillar, p.coords, point_cloud_range=RANGE, voxel_size=VOXEL
    )
    assert feats.shape == (0, 32, 9)
    canvas = kernels.scatter(np.zeros((0, 32), np.float32), p.coords, grid_shape=(480, 480))
    assert canvas.shape == (1, 32, 480, 480) and not canvas.any()


def test_far_edge_nan_and_overflow_counters() -> None:
    edge = np.nextafter(np.float32(76.8), np.float32(0))
    pts = np.array(
        [[edge, edge, 0, 1], [76.8, 0, 0, 1], [np.nan, 0, 0, 1], [np.inf, 0, 0, 1], [0, 0, 0, 1], [76.7, 76.7, 0, 2]],
        np.float32,
    )
    p = kernels.voxelize(pts, point_cloud_range=RANGE, voxel_size=VOXEL, max_points_per_pillar=1, max_pillars=1)
    assert p.counters["points_out_of_range"] == 3
    assert p.counters["pillar_count"] == 1 and p.counters["pillars_dropped"] == 1
    assert p.counters["points_dropped_pillar_full"] == 1 and p.counters["points_dropped_no_pillar"] == 1
    np.testing.assert_array_equal(p.coords, [[0, 479, 479]])


def test_float64_and_torch_cpu_inputs_are_accepted() -> None:
    torch = pytest.importorskip("torch")
    pts = np.random.default_rng(0).uniform(-70, 70, size=(500, 4))
    a = kernels.voxelize(pts, point_cloud_range=RANGE, voxel_size=VOXEL)
    b = kernels.voxelize(torch.from_numpy(pts.astype(np.float32)), point_cloud_range=RANGE, voxel_size=VOXEL)
    np.testing.assert_array_equal(a.pillar_points, b.pillar_points)


def test_decode_then_nms_on_one_object() -> None:
    heads = {k: np.zeros((c, 8, 8), np.float32) for k, c in [("heatmap", 3), ("reg", 2), ("height", 1), ("dim", 3)]}
    heads["heatmap"][:] = -9.0
    heads["heatmap"][1, 2, 5] = 2.0
    heads["heatmap"][1, 2, 6] = 1.5  # neighbour, suppressed by NMS
    rot = np.zeros((2, 8, 8), np.float32)
    rot[1] = 1.0
    boxes, dropped = kernels.decode(
        *heads.values(), rot, voxel_size=VOXEL, point_cloud_range=RANGE, score_threshold=0.3
    )
    assert dropped == 0 and boxes.shape == (2, 11)
    assert boxes[0, 10] == 1.0 and boxes[0, 0] == pytest.approx(5 * 0.32 - 76.8, abs=1e-5)
    kept = kernels.circle_nms(boxes, squared_radius=1.0)
    assert kept.shape == (1, 11) and kept[0, 9] == boxes[0, 9]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: kernels.voxelize(np.zeros((3,), np.float32), point_cloud_range=RANGE, voxel_size=VOXEL), "[N, F]"),
        (lambda: kernels.voxelize(np.zeros((3, 2), np.float32), point_cloud_range=RANGE, voxel_size=VOXEL), "3..8"),
        (lambda: kernels.voxelize(np.zeros((3, 4)), point_cloud_range=RANGE[:5], voxel_size=VOXEL), "expected 6"),
        (
            lambda: kernels.voxelize(np.zeros((3, 4)), point_cloud_range=RANGE, voxel_size=[0.32, 0.32, 1.0]),
            "exactly one cell",
        ),
        (lambda: kernels.voxelize(["a"], point_cloud_range=RANGE, voxel_size=VOXEL), "[N, F]"),
        (lambda: kernels.scatter(np.zeros((2, 4), np.float32), np.zeros((3, 3), np.int32), grid_shape=(4, 4)), "shape"),
        (lambda: kernels.circle_nms(np.zeros((2, 9), np.float32), squared_radius=1.0), "[n, 11]"),
        (lambda: kernels.circle_nms(np.zeros((2, 11), np.float32), squared_radius=-1.0), "squared_radius"),
        (
            lambda: kernels.decode(
                *[np.zeros((c, 4, 4), np.float32) for c in (17, 2, 1, 3, 2)], voxel_size=VOXEL, point_cloud_range=RANGE
            ),
            "1..16",
        ),
    ],
)
def test_bad_inputs_fail_with_one_clear_line(call, message: str) -> None:
    with pytest.raises(DeployError) as info:
        call()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_cuda_entry_points_raise_without_a_device() -> None:
    from awml_deploy import _native

    if _native.cuda_device_count() > 0 or not _native.CUDA_AVAILABLE:
        pytest.skip("needs a CUDA build on a machine without a GPU")
    with pytest.raises(RuntimeError, match="no CUDA device"):
        _native.voxelize_cuda(_native.VoxelizeConfig(), 0, 0, 0, 0, 0, 0, 0, 0)
    with pytest.raises(RuntimeError, match="no CUDA device"):
        _native.circle_nms_cuda(_native.CircleNmsConfig(), 0, 0, 0, 0, 0, 0)
    assert kernels.cuda_device_count() == 0
