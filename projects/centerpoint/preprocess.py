"""CenterPoint point checks and pillar decoration with the C++ kernels (export sample and pipelines share it)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from awml_deploy.core.errors import expected
from projects.centerpoint.model import CenterPointGeometry


@dataclasses.dataclass(frozen=True)
class DecoratedPillars:
    """Encoder input of one frame.

    Attributes:
        features: [P, M, F] float32 decorated points (zero rows for padding slots).
        coords: [P, 3] int32 (z, y, x).
        counters: Voxelizer counters (pillar_count, pillars_dropped, ...).
    """

    features: np.ndarray
    coords: np.ndarray
    counters: dict


def check_points(points: Any, geometry: CenterPointGeometry) -> np.ndarray:
    """The points the model uses, [N, point_features] float32; a wrong width fails with exit 2.

    Args:
        points (Any): [N, >= point_features] array.
        geometry (CenterPointGeometry): Model geometry.

    Returns:
        np.ndarray: [N, point_features] float32, C-contiguous.
    """
    arr = np.asarray(points)
    if arr.ndim != 2 or arr.shape[1] < geometry.point_features:
        expected(
            "points",
            "wrong point cloud shape",
            f"[N, >= {geometry.point_features}] (x, y, z, intensity, ...)",
            getattr(arr, "shape", None),
        )
    return np.ascontiguousarray(arr[:, : geometry.point_features], dtype=np.float32)


def voxelize_points(points: Any, geometry: CenterPointGeometry) -> Any:
    """Voxelizes one cloud into pillars with the C++ kernel (deterministic, mmcv's pillar order).

    Args:
        points (Any): [N, >= point_features] array.
        geometry (CenterPointGeometry): Model geometry.

    Returns:
        awml_deploy.kernels.Pillars: Pillar points, points per pillar, coords and counters.
    """
    from awml_deploy import kernels

    g = geometry
    return kernels.voxelize(
        check_points(points, g),
        point_cloud_range=g.point_cloud_range,
        voxel_size=g.voxel_size,
        max_points_per_pillar=g.max_points_per_pillar,
        max_pillars=g.max_pillars,
        deterministic=True,
    )


def decorate(points: Any, geometry: CenterPointGeometry) -> DecoratedPillars:
    """Voxelizes and decorates one cloud with the C++ kernels (deterministic, mmcv's pillar order).

    Args:
        points (Any): [N, >= point_features] array.
        geometry (CenterPointGeometry): Model geometry.

    Returns:
        DecoratedPillars: The encoder input.
    """
    from awml_deploy import kernels

    g = geometry
    pillars = voxelize_points(points, g)
    features = kernels.pillar_features(
        pillars.pillar_points,
        pillars.points_per_pillar,
        pillars.coords,
        point_cloud_range=g.point_cloud_range,
        voxel_size=g.voxel_size,
        use_voxel_center_z=g.use_voxel_center_z,
    )
    return DecoratedPillars(features, pillars.coords, pillars.counters)
