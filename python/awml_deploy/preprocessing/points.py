"""MMDet3D's point-cloud test transforms in NumPy, registered for :func:`builder.build_preprocessing_pipeline`.

The results dict is mmdet3d's: ``lidar_points.lidar_path``, ``lidar_sweeps`` (each ``lidar_points.lidar_path``,
``lidar_points.lidar2sensor``, ``timestamp``), ``timestamp`` (s); the transforms set ``points`` ([N, F]
float32). Each one repeats mmdet3d's arithmetic step by step (same dtypes, same rounding points), so the points
are bit for bit those of ``LoadPointsFromFile`` + ``LoadPointsFromMultiSweeps`` + ``PointsRangeFilter``:

* ``LoadPointsFromFile(coord_type, load_dim, use_dim, norm_intensity, norm_elongation)``;
* ``LoadPointsFromMultiSweeps(sweeps_num, load_dim, use_dim, pad_empty_sweeps, remove_close, test_mode)``: the
  current frame's column 4 becomes 0 and each sweep's the time lag ``timestamp - sweep.timestamp``; sweeps are
  moved into the frame with ``p @ R - t`` (``R, t`` of ``lidar2sensor``); a frame without ``lidar_sweeps``
  repeats itself ``sweeps_num`` times when ``pad_empty_sweeps``; outside test mode mmdet3d samples sweeps at
  random, which deployment does not do (one-line error);
* ``PointsRangeFilter(point_cloud_range)``: strict inequalities on x, y, z.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from awml_deploy.config.reader import SectionReader, as_bool, as_choice, as_int, as_list
from awml_deploy.core.errors import expected, fail
from awml_deploy.preprocessing.registry import Transform, register_transform

_IGNORED = ("type", "backend_args")


def _use_dim(value: object, path: str, load_dim: int) -> list[int]:
    dims = list(range(as_int(value, path, minimum=1))) if isinstance(value, int) else as_list(value, path, True)
    dims = [as_int(d, f"{path}[{i}]", minimum=0) for i, d in enumerate(dims)]
    if max(dims) >= load_dim:
        expected(path, "uses a column past load_dim", f"dimensions < {load_dim}", dims)
    return dims


def _reader(cfg: Mapping[str, Any], path: str) -> SectionReader:
    reader = SectionReader(cfg, path)
    for key in _IGNORED:
        reader.get(key, lambda value, where: value, None)
    return reader


def read_points(path: str, load_dim: int) -> np.ndarray:
    """A ``.bin`` (raw float32) or ``.npy`` point file as (N, load_dim) float32, as mmdet3d reads it."""
    if not os.path.isfile(path):
        fail(f"{path} | point file not found. Note: expected a .bin/.npy file of float32 points")
    if path.endswith(".npy"):
        points = np.load(path, allow_pickle=False)
        if points.ndim == 2 and points.shape[1] != load_dim:
            expected(path, "wrong point width", f"shape (N, {load_dim}) (load_dim of the test pipeline)", points.shape)
    else:
        with open(path, "rb") as f:
            points = np.frombuffer(f.read(), dtype=np.float32)
    if points.size % load_dim:
        fits = [k for k in range(3, 9) if points.size % k == 0]
        fail(
            f"{path} | {points.size} float32 values are not a multiple of load_dim = {load_dim}. Note: expected "
            f"load_dim (test pipeline) matching the file; widths that would fit: {fits}"
        )
    return points.reshape(-1, load_dim)


def _results_path(results: Mapping[str, Any], where: str) -> str:
    lidar = results.get("lidar_points")
    if not isinstance(lidar, Mapping) or not isinstance(lidar.get("lidar_path"), str):
        expected(where, "the sample has no lidar_points.lidar_path", "an mmdet3d results dict", sorted(results))
    return lidar["lidar_path"]


@register_transform("LoadPointsFromFile")
def load_points_from_file(cfg: Mapping[str, Any], path: str) -> Transform:
    """mmdet3d ``LoadPointsFromFile``."""
    r = _reader(cfg, path)
    r.get("coord_type", as_choice, "LIDAR", ("LIDAR", "CAMERA", "DEPTH"))
    load_dim = r.get("load_dim", as_int, 6, minimum=1)
    use_dim = r.get("use_dim", _use_dim, [0, 1, 2], load_dim)
    norm_intensity = r.get("norm_intensity", as_bool, False)
    norm_elongation = r.get("norm_elongation", as_bool, False)
    for unsupported in ("shift_height", "use_color"):
        if r.get(unsupported, as_bool, False):
            expected(r.key(unsupported), "not supported at deploy time", False, True)
    r.finish()
    if norm_intensity and len(use_dim) < 4 or norm_elongation and len(use_dim) < 5:
        expected(r.key("use_dim"), "too few columns for the intensity/elongation norm", ">= 4 / >= 5", use_dim)

    def transform(results: dict) -> dict:
        points = read_points(_results_path(results, path), load_dim)[:, use_dim]
        if norm_intensity:
            points[:, 3] = np.tanh(points[:, 3])
        if norm_elongation:
            points[:, 4] = np.tanh(points[:, 4])
        results["points"] = points
        return results

    return transform


def _remove_close(points: np.ndarray, radius: float = 1.0) -> np.ndarray:
    close = np.logical_and(np.abs(points[:, 0]) < radius, np.abs(points[:, 1]) < radius)
    return points[np.logical_not(close)]


@register_transform("LoadPointsFromMultiSweeps")
def load_points_from_multi_sweeps(cfg: Mapping[str, Any], path: str) -> Transform:
    """mmdet3d ``LoadPointsFromMultiSweeps`` in test mode."""
    r = _reader(cfg, path)
    sweeps_num = r.get("sweeps_num", as_int, 10, minimum=0)
    load_dim = r.get("load_dim", as_int, 5, minimum=5)
    use_dim = r.get("use_dim", _use_dim, [0, 1, 2, 4], load_dim)
    pad_empty = r.get("pad_empty_sweeps", as_bool, False)
    remove_close = r.get("remove_close", as_bool, False)
    test_mode = r.get("test_mode", as_bool, False)
    r.finish()

    def transform(results: dict) -> dict:
        points = np.array(results["points"], dtype=np.float32)
        if points.ndim != 2 or points.shape[1] < 5:
            expected(
                path, "needs points with a 5th column (time lag)", "[N, >= 5] from LoadPointsFromFile", points.shape
            )
        points[:, 4] = 0
        parts = [points]
        if "lidar_sweeps" not in results:
            if pad_empty:
                parts += [_remove_close(points) if remove_close else points] * sweeps_num
        else:
            sweeps = results["lidar_sweeps"]
            if len(sweeps) > sweeps_num and not test_mode:
                expected(r.key("test_mode"), "random sweep sampling is not deterministic", True, False)
            timestamp = results["timestamp"]
            for sweep in sweeps[: min(len(sweeps), sweeps_num)]:
                sweep_points = np.copy(read_points(_results_path(sweep, path), load_dim))
                if remove_close:
                    sweep_points = _remove_close(sweep_points)
                lidar2sensor = np.array(sweep["lidar_points"]["lidar2sensor"])
                sweep_points[:, :3] = sweep_points[:, :3] @ lidar2sensor[:3, :3]
                sweep_points[:, :3] -= lidar2sensor[:3, 3]
                sweep_points[:, 4] = timestamp - sweep["timestamp"]
                parts.append(sweep_points)
        results["points"] = np.concatenate(parts, axis=0)[:, use_dim]
        return results

    return transform


@register_transform("PointsRangeFilter")
def points_range_filter(cfg: Mapping[str, Any], path: str) -> Transform:
    """mmdet3d ``PointsRangeFilter``."""
    r = _reader(cfg, path)
    bounds = r.get("point_cloud_range", as_list, None, non_empty=True)
    r.finish()
    if bounds is None or len(bounds) != 6:
        expected(r.key("point_cloud_range"), "needs six numbers", "[x_min, y_min, z_min, x_max, y_max, z_max]", bounds)
    lo_hi = np.array(bounds, dtype=np.float32)

    def transform(results: dict) -> dict:
        p = results["points"]
        keep = (
            (p[:, 0] > lo_hi[0])
            & (p[:, 1] > lo_hi[1])
            & (p[:, 2] > lo_hi[2])
            & (p[:, 0] < lo_hi[3])
            & (p[:, 1] < lo_hi[4])
            & (p[:, 2] < lo_hi[5])
        )
        results["points"] = p[keep]
        for key in ("pts_instance_mask", "pts_semantic_mask"):
            if results.get(key) is not None:
                results[key] = results[key][keep]
        return results

    return transform


@register_transform("Pack3DDetInputs", "DefaultFormatBundle3D", "Collect3D", "LoadAnnotations3D")
def formatting(cfg: Mapping[str, Any], path: str) -> Transform:
    """Formatting and annotation loading: nothing to do at deploy time (GT comes from the info file)."""
    return lambda results: results
