"""Small T4-shaped datasets for tests and demos, and the mmdet3d results dict of an info-file frame.

:func:`write_t4_dataset` writes what AWML's T4 converter gives a model, in miniature: 5-column ``.bin`` point
files (x, y, z, intensity, ring id), one past sweep per frame (the first frame of the scene has none, as in T4)
stored in its own sensor frame with ``lidar2sensor`` and a timestamp 0.1 s earlier, and an mmdet3d v2 info
``.pkl`` with T4 class names and ``lidar_sweeps``, under ``<root>/info/``. Scenes come from
:mod:`synthetic_lidar` (the points are our own renders, no T4 data).

:func:`frame_results` gives a frame as the results dict mmdet3d's test pipeline starts from, for
:func:`awml_deploy.preprocessing.builder.build_preprocessing_pipeline`.
"""

from __future__ import annotations

import math
import os

import numpy as np

from awml_deploy.datasets import info_pkl, synthetic_lidar, synthetic_set

T4_CLASSES = ("car", "truck", "bus", "bicycle", "pedestrian")
SWEEP_LAG_S = 0.1
# Ego motion between a sweep and its frame: 1.2 m forward, 0.02 rad of yaw (a car at ~43 km/h turning gently).
SWEEP_TRANSLATION = (1.2, 0.05, 0.0)
SWEEP_YAW = 0.02


def _lidar2sensor() -> np.ndarray:
    c, s = math.cos(SWEEP_YAW), math.sin(SWEEP_YAW)
    mat = np.eye(4)
    mat[:3, :3] = [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]
    mat[:3, 3] = SWEEP_TRANSLATION
    return mat


def _five_columns(frame: synthetic_lidar.Frame, beams: int) -> np.ndarray:
    """x, y, z, intensity and the ring id (beam index, as a T4 .bin's 5th column)."""
    points = frame.points
    elevation = np.degrees(np.arctan2(points[:, 2] - 1.8, np.hypot(points[:, 0], points[:, 1])))
    ring = np.clip(np.round((elevation + 25.0) / 33.0 * (beams - 1)), 0, beams - 1)
    return np.concatenate([points, ring[:, None]], axis=1).astype(np.float32)


def write_t4_dataset(
    root: str, num_frames: int | None = None, seed: int | None = None, info_name: str | None = None
) -> str:
    """Writes a small T4-shaped dataset (see the module docstring).

    Args:
        root (str): Output folder (the model config's ``data_root``).
        num_frames (int | None): Frames of the scene. Defaults to 4.
        seed (int | None): First scene seed. Defaults to 0.
        info_name (str | None): Info file path under ``root``. Defaults to "info/t4dataset_tiny_infos_test.pkl".

    Returns:
        str: The info file path.
    """
    num_frames = 4 if num_frames is None else num_frames
    seed = 0 if seed is None else seed
    info_name = "info/t4dataset_tiny_infos_test.pkl" if info_name is None else info_name
    os.makedirs(os.path.join(root, "lidar"), exist_ok=True)
    mat = _lidar2sensor()
    entries = []
    for i in range(num_frames):
        spec = synthetic_lidar.sample_scene(seed + i, extent=30.0)
        frame = synthetic_lidar.render_scene(spec)
        beams = spec.sensor.num_beams
        lidar_path = f"lidar/{i:04d}.bin"
        _five_columns(frame, beams).tofile(os.path.join(root, lidar_path))
        timestamp = 1700000000.0 + 0.5 * i
        boxes, labels, counts = synthetic_set.annotated(spec, synthetic_set.box_point_counts(spec, frame), 1)
        entry = info_pkl.make_info_entry(i, lidar_path, boxes, labels, 5, counts, timestamp=timestamp)
        if i > 0:  # the scene's first frame has no past sweep
            prev = synthetic_lidar.render_scene(synthetic_lidar.SceneSpec(spec.seed + 1000, spec.boxes, spec.semantic))
            sweep = _five_columns(prev, beams)
            # Stored in the sweep's own frame: mmdet3d maps it back with p @ R - t.
            sweep[:, :3] = ((sweep[:, :3].astype(np.float64) + mat[:3, 3]) @ mat[:3, :3].T).astype(np.float32)
            sweep_path = f"lidar/{i:04d}_sweep1.bin"
            sweep.tofile(os.path.join(root, sweep_path))
            entry["lidar_sweeps"] = [
                {
                    "lidar_points": {"lidar_path": sweep_path, "lidar2sensor": mat.tolist()},
                    "timestamp": timestamp - SWEEP_LAG_S,
                    "sample_data_token": f"{i:04d}_sweep1",
                }
            ]
        entries.append(entry)
    path = os.path.join(root, info_name)
    info_pkl.write_info_pkl(path, entries, T4_CLASSES, dataset="t4dataset_tiny")
    return path


def frame_results(frame: info_pkl.FrameInfo) -> dict:
    """The mmdet3d results dict of a frame: ``lidar_points``, ``lidar_sweeps`` (when the entry has them),
    ``timestamp``; paths resolved.

    Args:
        frame (info_pkl.FrameInfo): A frame of :func:`info_pkl.load_info_pkl`.

    Returns:
        dict: The results dict.
    """
    results = {
        "lidar_points": {"lidar_path": frame.lidar_path, "num_pts_feats": frame.num_pts_feats},
        "timestamp": frame.timestamp,
        "sample_idx": frame.sample_idx,
    }
    if frame.has_sweeps_key:
        results["lidar_sweeps"] = [
            {
                "lidar_points": {"lidar_path": s.lidar_path, "lidar2sensor": s.lidar2sensor},
                "timestamp": s.timestamp,
            }
            for s in frame.sweeps
        ]
    return results
