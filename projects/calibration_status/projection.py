"""The model input: a camera image plus the LiDAR cloud projected with given intrinsics and extrinsics (NumPy).

``build_input`` turns (RGB image, points, K, T_cam_lidar) into the 5-channel tensor the classifier sees:
normalised R, G, B, then the depth and intensity of the nearest LiDAR point in each pixel (0 where none).
Every function validates its inputs and fails on one line naming what is wrong and what is accepted.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from awml_deploy.config.reader import as_float, as_int
from awml_deploy.config.settings import as_floats, setting
from awml_deploy.core.errors import expected

NUM_CHANNELS = 5
CHANNELS = ("red", "green", "blue", "depth", "intensity")


@dataclasses.dataclass(frozen=True)
class PreprocessSettings:
    """How the 5-channel input is built (the ``project.preprocess`` section).

    Attributes:
        height: Image height the model expects.
        width: Image width the model expects.
        mean: Per-channel RGB mean (0-255 scale).
        std: Per-channel RGB std (0-255 scale).
        max_depth: Depth (m) mapped to 1.0; farther points are dropped.
        min_depth: Points closer than this (m) to the camera plane are dropped.
    """

    height: int = setting(96, as_int, minimum=32)
    width: int = setting(160, as_int, minimum=32)
    mean: tuple[float, float, float] = setting((128.0, 128.0, 128.0), as_floats, length=3)
    std: tuple[float, float, float] = setting((64.0, 64.0, 64.0), as_floats, length=3, positive=True)
    max_depth: float = setting(60.0, as_float, minimum=0.0)
    min_depth: float = setting(0.5, as_float, minimum=0.0)

    def check(self, path: str) -> None:
        """Rules across fields (called by :func:`awml_deploy.config.settings.read_settings`)."""
        if not 0 < self.min_depth < self.max_depth:
            expected(
                f"{path}.min_depth", "bad depth range", "0 < min_depth < max_depth", (self.min_depth, self.max_depth)
            )


def check_intrinsics(intrinsics: object, height: int, width: int) -> np.ndarray:
    """Validates a pinhole camera matrix.

    Args:
        intrinsics (object): (3, 3) matrix ``[[fx, 0, cx], [0, fy, cy], [0, 0, 1]]`` (skew allowed).
        height (int): Image height.
        width (int): Image width.

    Returns:
        np.ndarray: (3, 3) float64 K.
    """
    k = np.asarray(intrinsics, dtype=np.float64)
    if k.shape != (3, 3) or not np.isfinite(k).all():
        expected("intrinsics", "not a finite 3x3 matrix", "[[fx, 0, cx], [0, fy, cy], [0, 0, 1]]", k.tolist())
    if not np.allclose(k[2], [0.0, 0.0, 1.0]) or k[1, 0] != 0.0:
        expected("intrinsics", "not a pinhole matrix", "last row [0, 0, 1] and K[1][0] == 0", k.tolist())
    if k[0, 0] <= 0 or k[1, 1] <= 0:
        expected("intrinsics", "focal lengths must be positive", "fx > 0 and fy > 0", (k[0, 0], k[1, 1]))
    if not (0 <= k[0, 2] <= width and 0 <= k[1, 2] <= height):
        expected(
            "intrinsics", "principal point outside the image", f"0 <= cx <= {width}, 0 <= cy <= {height}", k[:2, 2]
        )
    return k


def check_extrinsics(extrinsics: object) -> np.ndarray:
    """Validates a rigid transform ``T_cam_lidar``.

    Args:
        extrinsics (object): (4, 4) matrix with an orthonormal rotation (det +1) and last row [0, 0, 0, 1].

    Returns:
        np.ndarray: (4, 4) float64 T.
    """
    t = np.asarray(extrinsics, dtype=np.float64)
    if t.shape != (4, 4) or not np.isfinite(t).all():
        expected("extrinsics", "not a finite 4x4 matrix", "a rigid transform T_cam_lidar", np.shape(t))
    rot = t[:3, :3]
    if not np.allclose(t[3], [0.0, 0.0, 0.0, 1.0]) or not np.allclose(rot @ rot.T, np.eye(3), atol=1e-5):
        expected("extrinsics", "not a rigid transform", "orthonormal rotation and last row [0, 0, 0, 1]", t.tolist())
    if np.linalg.det(rot) < 0:
        expected("extrinsics", "rotation is a reflection", "det(R) = +1", float(np.linalg.det(rot)))
    return t


def check_points(points: object) -> np.ndarray:
    """Validates a point cloud: (N, >= 4) finite float x, y, z, intensity, ...

    Returns:
        np.ndarray: (N, 4) float64 x, y, z, intensity.
    """
    pts = np.asarray(points)
    if pts.ndim != 2 or pts.shape[1] < 4 or not np.issubdtype(pts.dtype, np.floating):
        expected("points", "bad point cloud", "a float array (N, >=4) of x, y, z, intensity", f"{pts.dtype}{pts.shape}")
    pts = pts[:, :4].astype(np.float64)
    if not np.isfinite(pts).all():
        expected("points", "non-finite coordinates", "finite values", int((~np.isfinite(pts)).sum()))
    return pts


def project_points(
    xyz: np.ndarray, intrinsics: np.ndarray, extrinsics: np.ndarray, height: int, width: int, min_depth: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Projects LiDAR-frame points into the image.

    Args:
        xyz (np.ndarray): (N, 3) points in the LiDAR frame.
        intrinsics (np.ndarray): (3, 3) K.
        extrinsics (np.ndarray): (4, 4) T_cam_lidar.
        height (int): Image height.
        width (int): Image width.
        min_depth (float): Points with camera z below this are dropped.

    Returns:
        tuple: ``row`` (N,) int64, ``col`` (N,) int64, ``depth`` (N,) float64 camera z, ``valid`` (N,) bool (in
        front of the camera and inside the image).
    """
    cam = xyz @ extrinsics[:3, :3].T + extrinsics[:3, 3]
    depth = cam[:, 2]
    front = depth > min_depth
    z = np.where(front, depth, 1.0)
    uvw = cam @ intrinsics.T
    u, v = uvw[:, 0] / z, uvw[:, 1] / z
    inside = front & (u >= 0) & (u < width) & (v >= 0) & (v < height)
    col = np.floor(np.where(inside, u, 0.0)).astype(np.int64)
    row = np.floor(np.where(inside, v, 0.0)).astype(np.int64)
    return row, col, depth, inside


def rasterize(
    row: np.ndarray, col: np.ndarray, depth: np.ndarray, values: np.ndarray, height: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Z-buffer: per pixel, the depth and value of the nearest point (ties keep the lower point index).

    Args:
        row (np.ndarray): (N,) pixel rows (all inside the image).
        col (np.ndarray): (N,) pixel columns.
        depth (np.ndarray): (N,) depths.
        values (np.ndarray): (N,) per-point values (e.g. intensity).
        height (int): Image height.
        width (int): Image width.

    Returns:
        tuple: ``depth_map`` and ``value_map``, (height, width) float32, 0 where no point falls.
    """
    depth_map = np.zeros(height * width, dtype=np.float32)
    value_map = np.zeros(height * width, dtype=np.float32)
    if len(depth):
        pixel = row * width + col
        order = np.lexsort((np.arange(len(depth)), depth, pixel))
        first = np.unique(pixel[order], return_index=True)[1]
        nearest = order[first]
        depth_map[pixel[nearest]] = depth[nearest]
        value_map[pixel[nearest]] = values[nearest]
    return depth_map.reshape(height, width), value_map.reshape(height, width)


def check_image(image: object, settings: PreprocessSettings) -> np.ndarray:
    """Validates an RGB image: (height, width, 3) uint8 with the size the model expects."""
    img = np.asarray(image)
    want = (settings.height, settings.width, 3)
    if img.dtype != np.uint8 or img.shape != want:
        expected("image", "wrong image layout", f"uint8 {list(want)} (H, W, RGB)", f"{img.dtype}{list(img.shape)}")
    return img


def lidar_channels(
    points: object, intrinsics: object, extrinsics: object, settings: PreprocessSettings | None = None
) -> np.ndarray:
    """The depth and intensity channels: (2, H, W) float32, depth scaled by ``max_depth``.

    Args:
        points (object): (N, >= 4) x, y, z, intensity in the LiDAR frame.
        intrinsics (object): (3, 3) K.
        extrinsics (object): (4, 4) T_cam_lidar.
        settings (PreprocessSettings | None): Image size and depth range. Defaults to ``PreprocessSettings()``.

    Returns:
        np.ndarray: (2, H, W) float32.
    """
    settings = PreprocessSettings() if settings is None else settings
    h, w = settings.height, settings.width
    pts = check_points(points)
    k = check_intrinsics(intrinsics, h, w)
    t = check_extrinsics(extrinsics)
    row, col, depth, valid = project_points(pts[:, :3], k, t, h, w, settings.min_depth)
    valid &= depth <= settings.max_depth
    depth_map, value_map = rasterize(row[valid], col[valid], depth[valid], pts[valid, 3], h, w)
    return np.stack([depth_map / np.float32(settings.max_depth), value_map]).astype(np.float32)


def build_input(
    image: object, points: object, intrinsics: object, extrinsics: object, settings: PreprocessSettings | None = None
) -> np.ndarray:
    """The model input for one camera–LiDAR pair.

    Args:
        image (object): (H, W, 3) uint8 RGB image.
        points (object): (N, >= 4) x, y, z, intensity in the LiDAR frame.
        intrinsics (object): (3, 3) K.
        extrinsics (object): (4, 4) T_cam_lidar (the calibration under test).
        settings (PreprocessSettings | None): Preprocessing settings. Defaults to ``PreprocessSettings()``.

    Returns:
        np.ndarray: (5, H, W) float32: normalised R, G, B, depth / max_depth, intensity.
    """
    settings = PreprocessSettings() if settings is None else settings
    img = check_image(image, settings)
    mean = np.asarray(settings.mean, dtype=np.float32)[:, None, None]
    std = np.asarray(settings.std, dtype=np.float32)[:, None, None]
    rgb = (img.transpose(2, 0, 1).astype(np.float32) - mean) / std
    return np.concatenate([rgb, lidar_channels(points, intrinsics, extrinsics, settings)]).astype(np.float32)
