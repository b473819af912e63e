"""Synthetic LiDAR scenes: a ray-cast multi-beam sensor over a ground plane with boxes as objects.

The embedded default of the CenterPoint project trains and evaluates on these scenes, so that a deploy runs on
any machine without a dataset. Everything is NumPy and deterministic: a scene is fully described by a
:class:`SceneSpec` (sensor, object boxes, noise seed), which is JSON-serialisable, and :func:`render_scene`
turns a spec into the same point cloud on every run.

Frame and box conventions (the same everywhere in awml-deploy):
    * Ego/LiDAR frame: x forward, y left, z up, origin on the ground plane under the sensor (``z = 0`` is the
      ground); the sensor sits at ``(0, 0, SensorSpec.height)``.
    * A box is ``(x, y, z, l, w, h, yaw)`` with ``(x, y, z)`` the **geometric (gravity) centre**, ``l`` along the
      box's heading, ``w`` across it, ``h`` vertical, and ``yaw`` the heading angle about +z measured from +x
      (counter-clockwise). This is METRICS.md's box and the nuScenes/T4 info-file convention (origin
      ``(0.5, 0.5, 0.5)``). mmdet3d's ``LiDARInstance3DBoxes`` stores the *bottom* centre instead: convert with
      ``LiDARInstance3DBoxes(boxes, origin=(0.5, 0.5, 0.5))`` (its ``gravity_center`` gives this centre back).
    * Objects are plain cuboids, which look the same turned by pi (and, when square, by pi / 2): their heading
      cannot be seen in the points. Boxes are therefore stored in the canonical form of :func:`canonical_boxes`
      (``l >= w``, ``yaw`` in [-pi/4, 3pi/4)), so that the labelled yaw is a function of the rendered geometry.
    * Detection labels follow Autoware's CenterPoint order :data:`CLASSES` = car, truck, bus, bicycle,
      pedestrian (0..4). Per-point semantic labels are :data:`SEMANTIC_CLASSES` = ground, car, truck, bus,
      bicycle, pedestrian, other (0..6), i.e. detection label + 1, with 0 for the ground and 6 for distractors.

Points are ``float32 (N, 4)``: x, y, z and an intensity in [0, 1]. Coordinates are rounded to
:data:`POINT_QUANTUM` metres and intensities to 1/255 before the cast to float32, which makes the cloud (and its
sha256, see :func:`points_digest`) robust to last-bit differences of libm between machines.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math

import numpy as np

from awml_deploy.core.errors import fail

CLASSES = ("car", "truck", "bus", "bicycle", "pedestrian")
SEMANTIC_CLASSES = ("ground", "car", "truck", "bus", "bicycle", "pedestrian", "other")
SEM_GROUND = 0
SEM_OTHER = 6
POINT_QUANTUM = 0.002  # metres
YAW_MIN = -0.25 * math.pi  # canonical yaw interval [YAW_MIN, YAW_MIN + pi): axis-aligned vehicles stay off its ends

# Class-typical sizes (l, w, h) as uniform ranges, and surface reflectivity (base intensity) per semantic class.
_SIZE_RANGES = {
    "car": ((3.9, 4.9), (1.7, 2.0), (1.4, 1.75)),
    "truck": ((6.0, 9.0), (2.2, 2.6), (2.6, 3.6)),
    "bus": ((10.0, 12.5), (2.5, 2.8), (3.0, 3.4)),
    "bicycle": ((1.6, 1.9), (0.5, 0.7), (1.1, 1.5)),
    "pedestrian": ((0.45, 0.8), (0.45, 0.75), (1.5, 1.9)),
}
_REFLECTIVITY = np.array([0.12, 0.55, 0.45, 0.5, 0.3, 0.25, 0.35])  # indexed by semantic label
# Distractors ("other"): poles, bins/boxes and walls, sizes (l, w, h).
_OTHER_KINDS = (
    ((0.2, 0.4), (0.2, 0.4), (3.0, 6.0)),
    ((0.6, 1.2), (0.6, 1.2), (0.8, 1.3)),
    ((4.0, 15.0), (0.3, 0.8), (2.0, 4.0)),
)


@dataclasses.dataclass(frozen=True)
class SensorSpec:
    """A spinning multi-beam LiDAR.

    Attributes:
        height: Sensor height above the ground plane (m).
        num_beams: Number of beams (rows), spread uniformly over the vertical field of view.
        elevation_min_deg: Lowest beam elevation (degrees, negative is down).
        elevation_max_deg: Highest beam elevation (degrees).
        azimuth_steps: Horizontal samples per revolution (0.4 degrees for 900).
        max_range: Returns beyond this range are lost (m).
        range_noise: Range noise standard deviation at 0 m (m); grows by ``range_noise_per_m`` per metre.
        range_noise_per_m: Extra range noise per metre of range.
        dropout: Base probability that a return is lost; grows quadratically to ``3 * dropout`` at max range.
    """

    height: float = 1.8
    num_beams: int = 32
    elevation_min_deg: float = -25.0
    elevation_max_deg: float = 8.0
    azimuth_steps: int = 900
    max_range: float = 60.0
    range_noise: float = 0.01
    range_noise_per_m: float = 0.0005
    dropout: float = 0.04

    def ray_directions(self) -> np.ndarray:
        """Unit ray directions (num_beams * azimuth_steps, 3), beam-major, snapped to 1e-9."""
        elev = np.radians(np.linspace(self.elevation_min_deg, self.elevation_max_deg, self.num_beams))
        azim = np.arange(self.azimuth_steps) * (2.0 * math.pi / self.azimuth_steps)
        ce, se = np.cos(elev)[:, None], np.sin(elev)[:, None]
        dirs = np.stack(
            [
                ce * np.cos(azim)[None],
                ce * np.sin(azim)[None],
                np.broadcast_to(se, (self.num_beams, self.azimuth_steps)),
            ],
            axis=-1,
        ).reshape(-1, 3)
        # Snapping makes the rays identical across libm implementations that differ in the last bit.
        return np.round(dirs, 9)


@dataclasses.dataclass(frozen=True)
class SceneSpec:
    """Everything needed to render one frame.

    Attributes:
        seed: Seed of the sensor noise (range noise, dropout, intensity noise).
        boxes: (M, 7) float64 boxes (x, y, z_centre, l, w, h, yaw) of all objects, distractors included.
        semantic: (M,) int semantic label per box (1..5 for the detection classes, 6 for "other").
        sensor: The sensor.
    """

    seed: int
    boxes: np.ndarray
    semantic: np.ndarray
    sensor: SensorSpec = SensorSpec()

    def to_json(self) -> dict:
        """A JSON-serialisable dict (floats round-trip exactly through ``json``)."""
        return {
            "seed": int(self.seed),
            "boxes": [[float(v) for v in b] for b in self.boxes],
            "semantic": [int(s) for s in self.semantic],
            "sensor": dataclasses.asdict(self.sensor),
        }

    @staticmethod
    def from_json(data: dict) -> SceneSpec:
        """Inverse of :meth:`to_json`, with one-line errors for malformed input."""
        if not isinstance(data, dict) or not {"seed", "boxes", "semantic"} <= set(data):
            keys = sorted(data) if isinstance(data, dict) else type(data).__name__
            fail(f"scene spec | missing keys. Note: expected seed, boxes, semantic (+ sensor), got {keys}")
        boxes = np.asarray(data["boxes"], dtype=np.float64).reshape(-1, 7)
        semantic = np.asarray(data["semantic"], dtype=np.int64)
        if len(semantic) != len(boxes):
            fail(
                f"scene spec | boxes/semantic length mismatch. Note: expected equal, got {len(boxes)} vs {len(semantic)}"
            )
        try:
            sensor = SensorSpec(**data.get("sensor", {}))
        except TypeError as err:
            fail(
                f"scene spec | bad sensor fields. Note: expected {[f.name for f in dataclasses.fields(SensorSpec)]}",
                cause=err,
            )
        return SceneSpec(seed=int(data["seed"]), boxes=boxes, semantic=semantic, sensor=sensor)

    def gt_mask(self) -> np.ndarray:
        """(M,) bool: which boxes are detection objects (not distractors)."""
        return (self.semantic >= 1) & (self.semantic <= len(CLASSES))


@dataclasses.dataclass(frozen=True)
class Frame:
    """A rendered frame.

    Attributes:
        points: (N, 4) float32 x, y, z, intensity.
        semantic: (N,) uint8 semantic label per point (:data:`SEMANTIC_CLASSES`).
        box_index: (N,) int32 index into ``spec.boxes`` of the box each point lies on, -1 for the ground.
        gt_boxes: (K, 7) float32 detection boxes (gravity centre), distractors excluded.
        gt_labels: (K,) int64 detection labels (:data:`CLASSES`).
        gt_num_points: (K,) int64 number of points on each detection box.
    """

    points: np.ndarray
    semantic: np.ndarray
    box_index: np.ndarray
    gt_boxes: np.ndarray
    gt_labels: np.ndarray
    gt_num_points: np.ndarray


def canonical_boxes(boxes: np.ndarray) -> np.ndarray:
    """The canonical form of cuboid boxes, which describes the same solid: ``l >= w`` and yaw in [-pi/4, 3pi/4).

    A cuboid turned by pi is the same solid, and one with ``w > l`` is the same as its ``l``/``w`` swap turned by
    pi / 2. Labelling the yaw of such symmetric objects with an arbitrary one of these equivalent headings makes
    the target unobservable (CenterHead's L1 on sin/cos then collapses and the predicted yaw is random); the
    canonical form makes it a function of the geometry. The interval ends (diagonals) are away from the mostly
    axis-aligned vehicles.

    Args:
        boxes (np.ndarray): (M, >=7) boxes (x, y, z, l, w, h, yaw, ...).

    Returns:
        np.ndarray: A canonical copy (same dtype).
    """
    out = np.array(boxes, copy=True)
    swap = out[:, 4] > out[:, 3]
    out[swap, 3], out[swap, 4] = boxes[swap, 4], boxes[swap, 3]
    yaw = out[:, 6].astype(np.float64) + np.where(swap, 0.5 * math.pi, 0.0)
    out[:, 6] = np.mod(yaw - YAW_MIN, math.pi) + YAW_MIN
    return out


def sample_scene(seed: int, sensor: SensorSpec | None = None, extent: float | None = None) -> SceneSpec:
    """Samples a random traffic scene: cars, trucks, buses, bicycles, pedestrians and distractors.

    Objects stand on the ground, do not overlap in bird's-eye view, keep 3 m from the sensor and have their
    centres inside ``|x|, |y| < extent``. Vehicles are mostly aligned with the x or y axis (roads), with noise.
    Boxes are in the canonical form of :func:`canonical_boxes`.

    Args:
        seed (int): Random seed; the same seed gives the same scene.
        sensor (SensorSpec | None): The sensor. Defaults to ``SensorSpec()``.
        extent (float | None): Half side of the square holding object centres (m). Defaults to 40.

    Returns:
        SceneSpec: The scene, with box values rounded to 1e-4.
    """
    sensor = SensorSpec() if sensor is None else sensor
    extent = 40.0 if extent is None else extent
    rng = np.random.default_rng([int(seed), 0x5CE7E])
    counts = {
        "car": rng.integers(5, 16),
        "truck": rng.integers(0, 3),
        "bus": rng.integers(0, 2),
        "bicycle": rng.integers(0, 4),
        "pedestrian": rng.integers(0, 8),
    }
    placed_xy, placed_r, boxes, semantic = [], [], [], []

    def try_place(size, sem, yaw):
        radius = 0.5 * math.hypot(size[0], size[1])
        for _ in range(30):
            xy = rng.uniform(-extent + radius, extent - radius, size=2)
            if math.hypot(*xy) < 3.0 + radius:
                continue
            if placed_xy:
                gap = np.hypot(*(np.asarray(placed_xy) - xy).T) - np.asarray(placed_r) - radius
                if gap.min() < 0.3:
                    continue
            placed_xy.append(xy)
            placed_r.append(radius)
            boxes.append([xy[0], xy[1], 0.5 * size[2], size[0], size[1], size[2], yaw])
            semantic.append(sem)
            return

    # Large objects first so that they find room.
    for name in ("bus", "truck", "car", "bicycle", "pedestrian"):
        for _ in range(counts[name]):
            size = [rng.uniform(*r) for r in _SIZE_RANGES[name]]
            if name in ("car", "truck", "bus") and rng.uniform() < 0.7:
                yaw = rng.integers(0, 4) * (math.pi / 2) + rng.normal(0.0, 0.08)
            else:
                yaw = rng.uniform(-math.pi, math.pi)
            try_place(size, CLASSES.index(name) + 1, yaw)
    for _ in range(rng.integers(2, 10)):
        kind = _OTHER_KINDS[rng.choice(len(_OTHER_KINDS), p=[0.5, 0.3, 0.2])]
        try_place([rng.uniform(*r) for r in kind], SEM_OTHER, rng.uniform(-math.pi, math.pi))

    boxes = canonical_boxes(np.round(np.asarray(boxes, dtype=np.float64).reshape(-1, 7), 4))
    boxes[:, 6] = np.clip(np.round(boxes[:, 6], 4), -0.7853, 2.3561)  # rounding stays inside [-pi/4, 3pi/4)
    return SceneSpec(seed=int(seed), boxes=boxes, semantic=np.asarray(semantic, dtype=np.int64), sensor=sensor)


def _ray_box_hits(
    origin: np.ndarray, dirs: np.ndarray, boxes: np.ndarray, cos: np.ndarray, sin: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Slab test of every ray against every oriented box.

    Args:
        origin (np.ndarray): (3,) common ray origin (outside all boxes).
        dirs (np.ndarray): (R, 3) unit directions.
        boxes (np.ndarray): (M, 7) boxes.
        cos (np.ndarray): (M,) cosine of the boxes' yaw.
        sin (np.ndarray): (M,) sine of the boxes' yaw.

    Returns:
        tuple: ``t`` (R, M) hit distance (inf for a miss), ``cos_inc`` (R, M) |cos| of the incidence angle on the
        entry face.
    """
    rel = origin[None, :2] - boxes[:, :2]  # (M, 2)
    # Origin and directions in each box frame (rotate by -yaw).
    o_local = np.stack(
        [cos * rel[:, 0] + sin * rel[:, 1], -sin * rel[:, 0] + cos * rel[:, 1], origin[2] - boxes[:, 2]], axis=-1
    )
    d_local = np.stack(
        [
            dirs[:, None, 0] * cos + dirs[:, None, 1] * sin,
            -dirs[:, None, 0] * sin + dirs[:, None, 1] * cos,
            np.broadcast_to(dirs[:, None, 2], (len(dirs), len(boxes))),
        ],
        axis=-1,
    )  # (R, M, 3)
    d_safe = np.where(np.abs(d_local) < 1e-12, 1e-12, d_local)
    half = 0.5 * boxes[:, 3:6]
    t1 = (-half[None] - o_local[None]) / d_safe
    t2 = (half[None] - o_local[None]) / d_safe
    t_near = np.minimum(t1, t2)
    t_far = np.maximum(t1, t2).min(axis=-1)
    entry_axis = t_near.argmax(axis=-1)
    t_in = t_near.max(axis=-1)
    hit = (t_in <= t_far) & (t_in > 0.0)
    t = np.where(hit, t_in, np.inf)
    cos_inc = np.abs(np.take_along_axis(d_local, entry_axis[..., None], axis=-1)[..., 0])
    return t, cos_inc


def _azimuth_window(box: np.ndarray, azimuth_steps: int) -> np.ndarray | None:
    """Azimuth indices (with a one-step margin) of the rays that can hit ``box``; None for all of them."""
    cos, sin = math.cos(box[6]), math.sin(box[6])
    corners = [
        (box[0] + cos * dx - sin * dy, box[1] + sin * dx + cos * dy)
        for dx, dy in (
            (0.5 * box[3], 0.5 * box[4]),
            (-0.5 * box[3], 0.5 * box[4]),
            (-0.5 * box[3], -0.5 * box[4]),
            (0.5 * box[3], -0.5 * box[4]),
        )
    ]
    if math.hypot(box[0], box[1]) <= 0.5 * math.hypot(box[3], box[4]) + 0.1:
        return None  # the sensor is (nearly) above the footprint: no narrow window
    centre = math.atan2(box[1], box[0])
    deltas = [math.remainder(math.atan2(y, x) - centre, 2 * math.pi) for x, y in corners]
    step = 2 * math.pi / azimuth_steps
    first = math.floor((centre + min(deltas)) / step) - 1
    last = math.ceil((centre + max(deltas)) / step) + 1
    if last - first + 1 >= azimuth_steps:
        return None
    return np.arange(first, last + 1) % azimuth_steps


def _cast_boxes(
    origin: np.ndarray, dirs: np.ndarray, boxes: np.ndarray, azimuth_steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest box hit per ray: each box is tested only against the rays of its azimuth window.

    Per ray and box the arithmetic is that of :func:`_ray_box_hits` on all rays and boxes at once, and ties keep
    the lower box index, so the result equals the brute-force test bit for bit.

    Returns:
        tuple: ``t`` (R,) nearest hit distance (inf for none), ``index`` (R,) box index (0 where none), ``cos_inc``
        (R,) incidence cosine.
    """
    num_rays = len(dirs)
    num_beams = num_rays // azimuth_steps
    cos, sin = np.cos(boxes[:, 6]), np.sin(boxes[:, 6])
    t_best = np.full(num_rays, np.inf)
    index = np.zeros(num_rays, dtype=np.int64)
    cos_best = np.zeros(num_rays)
    for m in range(len(boxes)):
        window = _azimuth_window(boxes[m], azimuth_steps)
        rays = (
            np.arange(num_rays)
            if window is None
            else (np.arange(num_beams)[:, None] * azimuth_steps + window[None, :]).ravel()
        )
        t, cos_inc = _ray_box_hits(origin, dirs[rays], boxes[m : m + 1], cos[m : m + 1], sin[m : m + 1])
        better = t[:, 0] < t_best[rays]
        hit_rays = rays[better]
        t_best[hit_rays] = t[better, 0]
        index[hit_rays] = m
        cos_best[hit_rays] = cos_inc[better, 0]
    return t_best, index, cos_best


def render_scene(spec: SceneSpec) -> Frame:
    """Ray-casts the sensor over the ground plane and the scene's boxes (nearest hit wins, so occlusion is exact).

    Args:
        spec (SceneSpec): The scene.

    Returns:
        Frame: Points, per-point labels and the detection ground truth.
    """
    sensor = spec.sensor
    rng = np.random.default_rng([int(spec.seed), 0x11DA2])
    dirs = sensor.ray_directions()
    origin = np.array([0.0, 0.0, sensor.height])
    num_rays = len(dirs)
    # Ground plane z = 0.
    down = dirs[:, 2] < -1e-9
    t_ground = np.full(num_rays, np.inf)
    t_ground[down] = sensor.height / -dirs[down, 2]
    cos_ground = np.abs(dirs[:, 2])
    if len(spec.boxes):
        t_obj, nearest, cos_obj = _cast_boxes(origin, dirs, spec.boxes, sensor.azimuth_steps)
    else:
        nearest = np.zeros(num_rays, dtype=np.int64)
        t_obj = np.full(num_rays, np.inf)
        cos_obj = np.zeros(num_rays)
    on_obj = t_obj < t_ground
    t = np.where(on_obj, t_obj, t_ground)
    box_index = np.where(on_obj, nearest, -1)
    semantic = np.where(on_obj, spec.semantic[nearest] if len(spec.boxes) else 0, SEM_GROUND)
    cos_inc = np.where(on_obj, cos_obj, cos_ground)

    # Noise draws for every ray (fixed count, so the stream does not depend on the geometry).
    noise = rng.standard_normal(num_rays)
    drop_u = rng.uniform(size=num_rays)
    refl_jitter = rng.uniform(0.8, 1.2, size=max(len(spec.boxes), 1))
    int_noise = rng.normal(0.0, 0.03, size=num_rays)

    valid = np.isfinite(t) & (t <= sensor.max_range)
    t_safe = np.where(valid, t, 0.0)
    p_drop = sensor.dropout * (1.0 + 2.0 * (t_safe / sensor.max_range) ** 2)
    valid &= drop_u >= p_drop
    rng_noisy = t_safe + noise * (sensor.range_noise + sensor.range_noise_per_m * t_safe)
    xyz = origin[None] + dirs * rng_noisy[:, None]
    reflect = _REFLECTIVITY[semantic] * np.where(on_obj, refl_jitter[np.minimum(box_index, len(refl_jitter) - 1)], 1.0)
    intensity = np.clip(reflect * (0.4 + 0.6 * cos_inc) + int_noise, 0.0, 1.0)

    xyz = np.round(xyz[valid] / POINT_QUANTUM) * POINT_QUANTUM
    intensity = np.round(intensity[valid] * 255.0) / 255.0
    points = np.concatenate([xyz, intensity[:, None]], axis=1).astype(np.float32)
    semantic = semantic[valid].astype(np.uint8)
    box_index = box_index[valid].astype(np.int32)

    gt = spec.gt_mask()
    counts = np.bincount(box_index[box_index >= 0], minlength=len(spec.boxes))
    return Frame(
        points=points,
        semantic=semantic,
        box_index=box_index,
        gt_boxes=spec.boxes[gt].astype(np.float32),
        gt_labels=(spec.semantic[gt] - 1).astype(np.int64),
        gt_num_points=counts[gt].astype(np.int64),
    )


def points_digest(points: np.ndarray) -> str:
    """sha256 (hex) of a float32 point array's bytes (C order), used to check regenerated clouds."""
    return hashlib.sha256(np.ascontiguousarray(points, dtype=np.float32).tobytes()).hexdigest()
