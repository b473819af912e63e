"""Reliability finding 13 (kernels): limits checked before any buffer is allocated, real dtypes only, NaN boxes
dropped before circle NMS, one box layout. Every bad call is one DeployError line naming the parameter."""

from __future__ import annotations

import re

import numpy as np
import pytest

from awml_deploy import kernels
from awml_deploy.core.errors import DeployError

RANGE = [-76.8, -76.8, -4.0, 76.8, 76.8, 6.0]
VOXEL = [0.32, 0.32, 10.0]
POINTS = np.array([[0.0, 0.0, 0.0, 1.0], [1.0, 1.0, 0.0, 1.0]], np.float32)


def one_line_error(call) -> str:
    with pytest.raises(DeployError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message and info.value.exit_code == 2
    return message


def voxelize(points=POINTS, **kw):
    return kernels.voxelize(points, point_cloud_range=RANGE, voxel_size=VOXEL, **kw)


def heads(classes=2, size=8):
    out = [np.zeros((c, size, size), np.float32) for c in (classes, 2, 1, 3, 2)]
    out[0][:] = -9.0
    return out


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"max_pillars": 2**31 - 1}, r"voxelize max_pillars \| out of range.*1\.\.16777216, got 2147483647"),
        ({"max_pillars": 2**40}, r"voxelize max_pillars \| out of range.*1\.\.16777216, got 1099511627776"),
        ({"max_pillars": 200_000_000}, r"voxelize max_pillars \| out of range"),
        ({"max_pillars": -5}, r"voxelize max_pillars \| out of range.*1\.\.16777216, got -5"),
        ({"max_points_per_pillar": -7}, r"voxelize max_points_per_pillar \| out of range.*1\.\.1024, got -7"),
        ({"max_points_per_pillar": 10**6}, r"voxelize max_points_per_pillar \| out of range"),
        ({"max_pillars": 2.5}, r"voxelize max_pillars \| not an integer"),
        ({"max_pillars": True}, r"voxelize max_pillars \| not an integer"),
        ({"max_pillars": 1 << 24, "max_points_per_pillar": 1024}, r"voxelize max_pillars \| output too large"),
    ],
)
def test_finding13_voxelize_limits_before_allocation(kwargs, pattern) -> None:
    assert re.search(pattern, one_line_error(lambda: voxelize(**kwargs)))


@pytest.mark.parametrize(
    ("channels", "grid", "pattern"),
    [
        (64, (16384, 16384), r"scatter grid_shape \| output too large"),
        (4096, (100000, 100000), r"scatter grid_shape\[0\] \| out of range.*1\.\.16384, got 100000"),
        (4, (-3, 8), r"scatter grid_shape\[0\] \| out of range.*got -3"),
        (4, (8, 0), r"scatter grid_shape\[1\] \| out of range"),
        (4, (8, 8, 8), r"scatter grid_shape \| wrong length"),
        (4, "ab", r"scatter grid_shape \| wrong length"),
    ],
)
def test_finding13_scatter_grid_limits_before_allocation(channels, grid, pattern) -> None:
    feats, coords = np.zeros((1, channels), np.float32), np.zeros((1, 3), np.int32)
    assert re.search(pattern, one_line_error(lambda: kernels.scatter(feats, coords, grid_shape=grid)))


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"max_candidates": 10**6}, r"decode max_candidates \| out of range.*1\.\.4096"),
        ({"max_candidates": 0}, r"decode max_candidates \| out of range"),
        ({"top_k": -1}, r"decode top_k \| out of range"),
        ({"top_k": 100, "max_candidates": 50}, r"decode top_k \| out of range.*1\.\.50, got 100"),
        ({"out_size_factor": 0}, r"decode out_size_factor \| out of range"),
    ],
)
def test_finding13_decode_limits(kwargs, pattern) -> None:
    call = lambda: kernels.decode(*heads(), voxel_size=VOXEL, point_cloud_range=RANGE, **kwargs)  # noqa: E731
    assert re.search(pattern, one_line_error(call))


def test_finding13_circle_nms_max_output_names_the_parameter() -> None:
    boxes = np.zeros((2, 11), np.float32)
    message = one_line_error(lambda: kernels.circle_nms(boxes, squared_radius=1.0, max_output=-1))
    assert message.startswith("circle_nms max_output | out of range")


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128, np.bool_, object, np.str_])
def test_finding13_non_real_points_are_rejected(dtype) -> None:
    points = np.zeros((3, 4), dtype=dtype)
    message = one_line_error(lambda: voxelize(points))
    assert message.startswith("voxelize points | non-real dtype. Note: expected real numbers")


def test_finding13_non_real_inputs_rejected_at_every_door() -> None:
    c = np.zeros((2, 11), np.complex64)
    assert "circle_nms boxes | non-real dtype" in one_line_error(lambda: kernels.circle_nms(c, squared_radius=1.0))
    bad_heads = heads()
    bad_heads[1] = bad_heads[1].astype(np.complex64)
    call = lambda: kernels.decode(*bad_heads, voxel_size=VOXEL, point_cloud_range=RANGE)  # noqa: E731
    assert "decode reg | non-real dtype" in one_line_error(call)
    feats = np.zeros((1, 4), np.complex64)
    call = lambda: kernels.scatter(feats, np.zeros((1, 3), np.int32), grid_shape=(4, 4))  # noqa: E731
    assert "scatter pillar_features | non-real dtype" in one_line_error(call)
    # Integer and float64 data stay accepted (converted to float32).
    assert voxelize(POINTS.astype(np.int64)).counters["pillar_count"] == 2


def box(x: float, score: float, label: float = 0.0) -> list[float]:
    return [x, 0.0, 0.0, 4.0, 2.0, 1.5, 0.0, 0.0, 0.0, score, label]


def test_finding13_nan_scored_and_nan_boxes_are_dropped_before_circle_nms() -> None:
    boxes = np.array(
        [box(0.0, np.nan), box(0.1, 0.9), box(0.2, 0.5), box(np.nan, 0.95), box(10.0, 0.4), box(20.0, np.nan)],
        np.float32,
    )
    kept = kernels.circle_nms(boxes, squared_radius=1.0)
    # NaN rows neither survive nor suppress: 0.9 at x=0.1 suppresses 0.5 at x=0.2; 0.4 at x=10 stays.
    np.testing.assert_array_equal(kept[:, 9], np.array([0.9, 0.4], np.float32))
    assert not np.isnan(kept).any()
    assert kernels.circle_nms(boxes[[0, 3, 5]], squared_radius=1.0).shape == (0, 11)


def test_box_layout_is_defined_once() -> None:
    from awml_deploy import _native

    assert kernels.BOX_FIELDS == ("x", "y", "z", "dx", "dy", "dz", "yaw", "vx", "vy", "score", "label")
    assert tuple(_native.BOX_FIELDS) == kernels.BOX_FIELDS


def test_finding13_native_bindings_validate_before_allocating() -> None:
    # The pybind layer itself (under the Python door) checks the kernel's limits before allocating outputs.
    from awml_deploy import _native

    config = _native.VoxelizeConfig()
    config.grid = kernels._grid(RANGE, VOXEL)
    config.num_point_features, config.max_points_per_pillar, config.max_pillars = 4, 32, 2**31 - 1
    with pytest.raises(ValueError, match=r"^voxelize \| max_pillars must be in 1\.\.16777216"):
        _native.voxelize(config, POINTS)
    config.max_pillars, config.max_points_per_pillar = 1 << 24, 1024
    with pytest.raises(ValueError, match=r"output too large"):
        _native.voxelize(config, POINTS)
    scatter = _native.ScatterConfig()
    scatter.num_channels, scatter.grid_y, scatter.grid_x = 64, 16384, 16384
    with pytest.raises(ValueError, match=r"^scatter num_channels \* grid_y \* grid_x \| output too large"):
        _native.scatter(scatter, np.zeros((1, 64), np.float32), np.zeros((1, 3), np.int32))
    decode = _native.DecodeConfig()
    decode.num_classes, decode.grid_y, decode.grid_x, decode.top_k = 2, 8, 8, -3
    with pytest.raises(ValueError, match=r"^decode \| top_k must be in"):
        _native.decode(decode, *heads())
