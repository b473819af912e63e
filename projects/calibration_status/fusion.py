"""AWML's model input: the camera image fused with the projected LiDAR cloud at full camera resolution (NumPy + cv2).

The same computation as AWML's ``CalibrationClassificationTransform`` at test time (mode ``test``, no augmentation;
``autoware_ml/calibration_classification/datasets/transforms/calibration_classification_transform.py``), written
from its description:

1. **Undistortion** (``undistort=True`` and any non-zero coefficient): ``K' = cv2.getOptimalNewCameraMatrix(K, D,
   (W, H), alpha=0)``, ``image = cv2.undistort(image, K, D, newCameraMatrix=K')``, then ``D = 0``.
2. **Projection**: ``p_cam = T_lidar2cam @ [x, y, z, 1]``; points with ``z > 0`` are projected with
   ``cv2.projectPoints(p_cam, 0, 0, K', D)``.
3. **Rasterisation**: a point is kept when ``0 <= u <= W - 1``, ``0 <= v <= H - 1`` and ``0 < z < max_depth``; it
   fills the ``(2 d + 1)²`` patch around pixel ``(int(v), int(u))`` (``d = dilation_size``) with
   ``255 · z / max_depth`` (depth) and its raw intensity; where patches overlap the nearest point wins (AWML writes
   the points far to near; ties, which AWML leaves to an unstable sort, go to the lower point index here).
4. **Channels**: ``[B, G, R, depth, intensity] / 255`` as float32, (5, H, W) — the image in OpenCV's BGR order, no
   mean/std (AWML's config has an empty ``data_preprocessor``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from awml_deploy.config.reader import as_bool, as_float, as_int
from awml_deploy.config.settings import setting
from awml_deploy.core.errors import expected
from projects.calibration_status.projection import check_extrinsics, check_points

INPUT_NAME = "input"


@dataclasses.dataclass(frozen=True)
class FusionSettings:
    """``CalibrationClassificationTransform`` settings that matter at test time.

    Attributes:
        max_depth: Points at or beyond this camera depth (m) are dropped; depth is scaled by it.
        dilation_size: Half size of the square patch each point fills (0 = one pixel).
        undistort: Undistort the image (and project without distortion) when coefficients are non-zero.
    """

    max_depth: float = setting(128.0, as_float, minimum=1e-3)
    dilation_size: int = setting(1, as_int, minimum=0, maximum=16)
    undistort: bool = setting(True, as_bool)


def check_camera(intrinsics: object, distortion: object) -> tuple[np.ndarray, np.ndarray]:
    """Validates K (3×3, finite, positive focal lengths) and the 5 plumb-bob distortion coefficients."""
    k = np.asarray(intrinsics, dtype=np.float64)
    if k.shape != (3, 3) or not np.isfinite(k).all() or k[0, 0] <= 0 or k[1, 1] <= 0:
        expected("intrinsics", "not a camera matrix", "a finite 3x3 K with fx, fy > 0", k.tolist())
    d = np.asarray(distortion, dtype=np.float64)
    if d.shape != (5,) or not np.isfinite(d).all():
        expected("distortion", "not 5 finite coefficients", "[k1, k2, p1, p2, k3]", d.tolist())
    return k, d


def undistort_image(image: np.ndarray, intrinsics: np.ndarray, distortion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The undistorted image and its camera matrix (unchanged when every coefficient is zero)."""
    if not np.any(distortion):
        return image, intrinsics
    import cv2

    height, width = image.shape[:2]
    new_k, _ = cv2.getOptimalNewCameraMatrix(intrinsics, distortion, (width, height), 0.0, (width, height))
    return cv2.undistort(image, intrinsics, distortion, newCameraMatrix=new_k), new_k


def fuse(
    image_bgr: object,
    points: object,
    intrinsics: object,
    distortion: object,
    lidar2cam: object,
    settings: FusionSettings | None = None,
) -> np.ndarray:
    """The (5, H, W) float32 model input of one camera image and LiDAR cloud (see the module docstring).

    Args:
        image_bgr (object): (H, W, 3) uint8 image in BGR order (as ``cv2.imread`` gives it).
        points (object): (N, >= 4) x, y, z, intensity in the LiDAR frame.
        intrinsics (object): (3, 3) K of the raw (distorted) image.
        distortion (object): (5,) plumb-bob coefficients.
        lidar2cam (object): (4, 4) T taking LiDAR points to the camera frame (the calibration under test).
        settings (FusionSettings | None): Transform settings. Defaults to ``FusionSettings()``.

    Returns:
        np.ndarray: (5, H, W) float32 B, G, R, depth, intensity, all divided by 255.
    """
    import cv2

    settings = FusionSettings() if settings is None else settings
    image = np.asarray(image_bgr)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        expected("image", "wrong image layout", "uint8 (H, W, 3) BGR", f"{image.dtype}{list(image.shape)}")
    k, d = check_camera(intrinsics, distortion)
    t = check_extrinsics(lidar2cam)
    pts = check_points(points).astype(np.float32)
    if settings.undistort:
        image, k = undistort_image(image, k, d)
        d = np.zeros_like(d)
    height, width = image.shape[:2]
    homogeneous = np.concatenate([pts[:, :3], np.ones((len(pts), 1), dtype=np.float32)], axis=1)
    cam = (t @ homogeneous.T).T[:, :3]
    front = cam[:, 2] > 0.0
    cam, intensity = cam[front], pts[front, 3]
    uv = cv2.projectPoints(cam, np.zeros(3), np.zeros(3), k, d)[0].reshape(-1, 2) if len(cam) else np.zeros((0, 2))
    keep = (uv[:, 0] >= 0) & (uv[:, 0] <= width - 1) & (uv[:, 1] >= 0) & (uv[:, 1] <= height - 1)
    keep &= (cam[:, 2] > 0.0) & (cam[:, 2] < settings.max_depth)
    depth_map, value_map = _rasterize_patches(
        uv[keep, 1].astype(np.int32),
        uv[keep, 0].astype(np.int32),
        255 * cam[keep, 2] / settings.max_depth,
        intensity[keep],
        height,
        width,
        settings.dilation_size,
    )
    fused = np.concatenate([image, depth_map[..., None], value_map[..., None]], axis=2, dtype=np.float32) / 255.0
    return np.ascontiguousarray(fused.transpose(2, 0, 1))


def _rasterize_patches(
    rows: np.ndarray,
    cols: np.ndarray,
    depth: np.ndarray,
    values: np.ndarray,
    height: int,
    width: int,
    dilation: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel the scaled depth and value of the nearest point whose patch covers it; (H, W) float32, 0 elsewhere."""
    depth_map = np.zeros(height * width, dtype=np.float32)
    value_map = np.zeros(height * width, dtype=np.float32)
    offsets = np.arange(-dilation, dilation + 1)
    dy, dx = np.meshgrid(offsets, offsets, indexing="ij")
    patch_rows = rows[:, None] + dy.ravel()[None, :]
    patch_cols = cols[:, None] + dx.ravel()[None, :]
    inside = (patch_rows >= 0) & (patch_rows < height) & (patch_cols >= 0) & (patch_cols < width)
    point = np.broadcast_to(np.arange(len(rows))[:, None], patch_rows.shape)[inside]
    if len(point):
        pixel = patch_rows[inside] * width + patch_cols[inside]
        order = np.lexsort((point, depth[point], pixel))
        first = np.unique(pixel[order], return_index=True)[1]
        nearest = order[first]
        depth_map[pixel[nearest]] = depth[point[nearest]]
        value_map[pixel[nearest]] = values[point[nearest]]
    return depth_map.reshape(height, width), value_map.reshape(height, width)


def fused_inputs(sample: Mapping[str, Any], settings: FusionSettings) -> dict[str, np.ndarray]:
    """``{"input": (1, 5, H, W)}`` of a sample (``image`` RGB as our samples hold it, ``points``, ``intrinsics``,
    ``extrinsics`` and optionally ``distortion``, zeros when absent)."""
    missing = [key for key in ("image", "points", "intrinsics", "extrinsics") if key not in sample]
    if missing:
        expected("sample", "missing keys", ["image", "points", "intrinsics", "extrinsics"], sorted(sample))
    image_bgr = np.ascontiguousarray(np.asarray(sample["image"])[..., ::-1])
    distortion = sample.get("distortion", np.zeros(5))
    x = fuse(image_bgr, sample["points"], sample["intrinsics"], distortion, sample["extrinsics"], settings)
    return {INPUT_NAME: x[None]}
