"""Pinhole cameras on the synthetic ego vehicle and a ray-cast camera renderer for the synthetic LiDAR scenes.

Frames: the ego/LiDAR frame of :mod:`awml_deploy.datasets.synthetic_lidar` (x forward, y left, z up, ground at
``z = 0``) and the OpenCV camera frame (x right, y down, z forward). ``T_cam_lidar`` is the 4×4 matrix taking a
LiDAR-frame point to the camera frame: ``p_cam = R @ p_lidar + t``. Pixel ``(row, col)`` covers
``u ∈ [col, col + 1)``, ``v ∈ [row, row + 1)`` of the continuous image coordinates ``u = fx·x/z + cx``,
``v = fy·y/z + cy``; the renderer shoots its rays through pixel centres ``(col + 0.5, row + 0.5)``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from awml_deploy.datasets.synthetic_lidar import SceneSpec

# Flat colours (RGB) per semantic label of synthetic_lidar.SEMANTIC_CLASSES (ground, car, truck, bus, bicycle,
# pedestrian, other).
_COLOURS = np.array(
    [
        [105, 105, 100],
        [200, 45, 40],
        [45, 95, 200],
        [230, 180, 35],
        [40, 170, 65],
        [200, 100, 200],
        [135, 115, 90],
    ],
    dtype=np.float64,
)
_SKY = np.array([150.0, 190.0, 235.0])
_LIGHT = np.array([0.45, 0.25, 0.86]) / np.linalg.norm([0.45, 0.25, 0.86])


@dataclasses.dataclass(frozen=True)
class CameraSpec:
    """A pinhole camera mounted on the ego vehicle.

    Attributes:
        name: Camera name.
        width: Image width (pixels).
        height: Image height (pixels).
        fx: Focal length along u (pixels).
        fy: Focal length along v (pixels).
        cx: Principal point u (pixels).
        cy: Principal point v (pixels).
        position: Optical centre in the ego frame (m).
        yaw_deg: Heading of the optical axis about +z, from +x (degrees).
        pitch_deg: Downward tilt of the optical axis (degrees).
    """

    name: str
    width: int = 160
    height: int = 96
    fx: float = 80.0
    fy: float = 80.0
    cx: float = 80.0
    cy: float = 48.0
    position: tuple[float, float, float] = (0.0, 0.0, 1.6)
    yaw_deg: float = 0.0
    pitch_deg: float = 4.0

    @property
    def intrinsics(self) -> np.ndarray:
        """np.ndarray: (3, 3) float64 camera matrix K."""
        return np.array([[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]])

    def rotation_lidar_from_cam(self) -> np.ndarray:
        """(3, 3) rotation whose columns are the camera's x (right), y (down), z (forward) axes in the ego frame."""
        yaw, pitch = math.radians(self.yaw_deg), math.radians(self.pitch_deg)
        forward = np.array([math.cos(yaw) * math.cos(pitch), math.sin(yaw) * math.cos(pitch), -math.sin(pitch)])
        right = np.array([math.sin(yaw), -math.cos(yaw), 0.0])
        down = np.cross(forward, right)
        return np.stack([right, down, forward], axis=1)

    @property
    def extrinsics(self) -> np.ndarray:
        """np.ndarray: (4, 4) float64 ``T_cam_lidar`` (the true calibration)."""
        rot = self.rotation_lidar_from_cam().T
        matrix = np.eye(4)
        matrix[:3, :3] = rot
        matrix[:3, 3] = -rot @ np.asarray(self.position, dtype=np.float64)
        return matrix


def camera_rig(width: int | None = None, height: int | None = None) -> tuple[CameraSpec, ...]:
    """Four cameras looking front, left, back and right, 0.3 m off the vehicle centre.

    Args:
        width (int | None): Image width. Defaults to 160.
        height (int | None): Image height. Defaults to 96.

    Returns:
        tuple[CameraSpec, ...]: The rig (horizontal field of view 90 degrees each).
    """
    width = 160 if width is None else width
    height = 96 if height is None else height
    focal = width / 2.0
    cams = []
    for name, yaw in (("front", 0.0), ("left", 90.0), ("back", 180.0), ("right", 270.0)):
        rad = math.radians(yaw)
        position = (round(0.3 * math.cos(rad), 6), round(0.3 * math.sin(rad), 6), 1.6)
        cams.append(CameraSpec(name, width, height, focal, focal, width / 2.0, height / 2.0, position, yaw))
    return tuple(cams)


def _box_hits(origin: np.ndarray, dirs: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slab test of rays from one origin against one oriented box.

    Returns:
        tuple: ``t`` (R,) hit distance (inf for a miss) and ``normal`` (R, 3) outward normal of the entry face in
        the ego frame.
    """
    cos, sin = math.cos(box[6]), math.sin(box[6])
    rel = origin[:2] - box[:2]
    o_local = np.array([cos * rel[0] + sin * rel[1], -sin * rel[0] + cos * rel[1], origin[2] - box[2]])
    d_local = np.stack([dirs[:, 0] * cos + dirs[:, 1] * sin, -dirs[:, 0] * sin + dirs[:, 1] * cos, dirs[:, 2]], axis=-1)
    d_safe = np.where(np.abs(d_local) < 1e-12, 1e-12, d_local)
    half = 0.5 * box[3:6]
    t1 = (-half - o_local) / d_safe
    t2 = (half - o_local) / d_safe
    t_near = np.minimum(t1, t2)
    t_in, t_out = t_near.max(axis=-1), np.maximum(t1, t2).min(axis=-1)
    t = np.where((t_in <= t_out) & (t_in > 0.0), t_in, np.inf)
    rows = np.arange(len(dirs))
    axis = t_near.argmax(axis=-1)
    local = np.zeros((len(dirs), 3))
    local[rows, axis] = -np.sign(d_local[rows, axis])
    normal = np.stack([cos * local[:, 0] - sin * local[:, 1], sin * local[:, 0] + cos * local[:, 1], local[:, 2]], -1)
    return t, normal


def _column_window(box: np.ndarray, camera: CameraSpec, rotation: np.ndarray) -> np.ndarray | None:
    """Image columns (with a one-pixel margin) the box can cover; None for all, an empty array for none."""
    cos, sin = math.cos(box[6]), math.sin(box[6])
    corners = np.array(
        [
            [box[0] + cos * dx - sin * dy, box[1] + sin * dx + cos * dy, box[2] + dz]
            for dx in (-0.5 * box[3], 0.5 * box[3])
            for dy in (-0.5 * box[4], 0.5 * box[4])
            for dz in (-0.5 * box[5], 0.5 * box[5])
        ]
    )
    cam = (corners - np.asarray(camera.position)) @ rotation
    if (cam[:, 2] <= 0.05).all():
        return np.zeros(0, dtype=np.int64)
    if (cam[:, 2] <= 0.05).any():
        return None
    u = camera.fx * cam[:, 0] / cam[:, 2] + camera.cx
    first, last = max(int(math.floor(u.min())) - 1, 0), min(int(math.ceil(u.max())) + 1, camera.width - 1)
    return np.arange(first, last + 1) if first <= last else np.zeros(0, dtype=np.int64)


def _cast_boxes(
    origin: np.ndarray, dirs: np.ndarray, boxes: np.ndarray, camera: CameraSpec
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest box hit per pixel ray; each box is tested only against the columns it can cover.

    Returns:
        tuple: ``t`` (R,) nearest hit distance (inf for none), ``index`` (R,) box index (0 where none), ``normal``
        (R, 3) entry-face normal.
    """
    num_rays = len(dirs)
    t_best = np.full(num_rays, np.inf)
    index = np.zeros(num_rays, dtype=np.int64)
    normal = np.zeros((num_rays, 3))
    rotation = camera.rotation_lidar_from_cam()
    for m in range(len(boxes)):
        window = _column_window(boxes[m], camera, rotation)
        if window is None:
            rays = np.arange(num_rays)
        else:
            rays = (np.arange(camera.height)[:, None] * camera.width + window[None, :]).ravel()
        if not len(rays):
            continue
        t, n = _box_hits(origin, dirs[rays], boxes[m])
        better = t < t_best[rays]
        t_best[rays[better]] = t[better]
        index[rays[better]] = m
        normal[rays[better]] = n[better]
    return t_best, index, normal


def render_camera(spec: SceneSpec, camera: CameraSpec, seed: int | None = None) -> np.ndarray:
    """Ray-casts the scene's ground plane and boxes from ``camera``: flat class colours, Lambert shading, haze, noise.

    Args:
        spec (SceneSpec): The scene (the same boxes the LiDAR sees).
        camera (CameraSpec): The camera (its true pose).
        seed (int | None): Seed of the colour jitter and pixel noise. Defaults to ``spec.seed``.

    Returns:
        np.ndarray: (height, width, 3) uint8 RGB image.
    """
    seed = spec.seed if seed is None else seed
    rng = np.random.default_rng([int(seed), 0xCA3E])
    cols, rows = np.meshgrid(np.arange(camera.width) + 0.5, np.arange(camera.height) + 0.5)
    d_cam = np.stack([(cols - camera.cx) / camera.fx, (rows - camera.cy) / camera.fy, np.ones_like(cols)], -1)
    dirs = d_cam.reshape(-1, 3) @ camera.rotation_lidar_from_cam().T
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    origin = np.asarray(camera.position, dtype=np.float64)
    down = dirs[:, 2] < -1e-9
    t_ground = np.where(down, origin[2] / np.where(down, -dirs[:, 2], 1.0), np.inf)
    jitter = rng.uniform(0.85, 1.15, size=(max(len(spec.boxes), 1), 3))
    t_box, index, normal = _cast_boxes(origin, dirs, spec.boxes, camera)
    on_box = t_box < t_ground
    hit = on_box | np.isfinite(t_ground)
    t = np.where(on_box, t_box, np.where(hit, t_ground, 0.0))
    image = np.broadcast_to(_SKY * (0.8 + 0.2 * (1.0 - np.abs(dirs[:, 2:3]))), dirs.shape).copy()
    ground_xy = origin[None, :2] + dirs[:, :2] * t[:, None]
    checker = (np.floor(ground_xy[:, 0] / 2.0) + np.floor(ground_xy[:, 1] / 2.0)) % 2
    ground = _COLOURS[0][None] * (0.9 + 0.15 * checker[:, None])
    semantic = spec.semantic[index] if len(spec.boxes) else np.zeros(len(dirs), dtype=np.int64)
    shade = 0.45 + 0.55 * np.clip(normal @ _LIGHT, 0.0, 1.0)
    boxes = _COLOURS[semantic] * jitter[index] * shade[:, None]
    surface = np.where(on_box[:, None], boxes, ground)
    haze = np.clip(t / 80.0, 0.0, 0.6)[:, None]
    image = np.where(hit[:, None], (1.0 - haze) * surface + haze * _SKY, image)
    image += rng.normal(0.0, 4.0, size=image.shape)
    return np.clip(np.round(image), 0, 255).astype(np.uint8).reshape(camera.height, camera.width, 3)
