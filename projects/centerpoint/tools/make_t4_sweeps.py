"""Writes the T4-shaped data of the 5-feature, sweep-using variant of the CenterPoint embedded default.

The first ``--num-frames`` scenes of the committed evaluation scene set (``assets/eval_scenes.json``, the scenes
the tiny checkpoint is evaluated on) become T4-shaped frames under ``assets/t4_sweeps/``:

* ``lidar/NNNN.bin``: the frame, 5 float32 columns x, y, z, intensity, ring id (the beam index, as a T4 ``.bin``;
  the model never sees it: mmdet3d's ``LoadPointsFromMultiSweeps`` overwrites the last column with the time lag);
* ``lidar/NNNN_sweep1.bin``: one past sweep, the same static scene rendered with other sensor noise 0.1 s earlier
  from a pose 1.2 m behind (the ego motion of :mod:`awml_deploy.datasets.t4_dataset`), stored in its own sensor
  frame with ``lidar2sensor`` as T4 infos give it;
* ``t4_sweeps_infos_test.pkl``: mmdet3d v2 info file (T4 class names, ``lidar_sweeps``, ground truth = the scene
  set's annotated boxes, at least ``min_points`` points); point paths relative to its folder.

Deterministic: the frames are the scene set's renders (checked against its sha256), the sweeps use fixed noise
seeds. Usage (from the repository root): ``PYTHONPATH=python python3 projects/centerpoint/tools/make_t4_sweeps.py``.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys

import numpy as np

from awml_deploy.datasets import info_pkl, synthetic_lidar, synthetic_set, t4_dataset

HERE = os.path.dirname(os.path.abspath(__file__))
ASSETS = os.path.join(os.path.dirname(HERE), "assets")
INFO_NAME = "t4_sweeps_infos_test.pkl"
SWEEP_SEED_OFFSET = 7_000_000  # sensor noise of the sweep renders: seeds no frame of the scene set uses
TIMESTAMP0 = 1_700_000_000.0


def _ego_motion() -> np.ndarray:
    """4x4 pose of the current frame in the sweep's sensor frame (``lidar2sensor``)."""
    c, s = math.cos(t4_dataset.SWEEP_YAW), math.sin(t4_dataset.SWEEP_YAW)
    mat = np.eye(4)
    mat[:3, :3] = [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]
    mat[:3, 3] = t4_dataset.SWEEP_TRANSLATION
    return mat


def _with_ring(points: np.ndarray, sensor: synthetic_lidar.SensorSpec) -> np.ndarray:
    """(N, 4) x, y, z, intensity -> (N, 5) float32 with the ring id (nearest beam by elevation)."""
    elevation = np.degrees(np.arctan2(points[:, 2] - sensor.height, np.hypot(points[:, 0], points[:, 1])))
    span = sensor.elevation_max_deg - sensor.elevation_min_deg
    ring = np.round((elevation - sensor.elevation_min_deg) / span * (sensor.num_beams - 1))
    ring = np.clip(ring, 0, sensor.num_beams - 1)
    return np.concatenate([points, ring[:, None]], axis=1).astype(np.float32)


def write_t4_sweeps(scene_set: str, out_dir: str, num_frames: int) -> str:
    """Writes the dataset (see the module docstring) into ``out_dir`` (replaced).

    Args:
        scene_set (str): The scene-set JSON.
        out_dir (str): Output folder.
        num_frames (int): Frames (the first scenes of the set).

    Returns:
        str: The info file path.
    """
    doc, specs = synthetic_set.load_scene_set(scene_set)
    min_points = int(doc.get("min_points", synthetic_set.DEFAULT_MIN_POINTS))
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(os.path.join(out_dir, "lidar"))
    mat = _ego_motion()
    entries = []
    for i, (spec, rec) in enumerate(zip(specs[:num_frames], doc["frames"][:num_frames], strict=True)):
        frame = synthetic_lidar.render_scene(spec)
        if synthetic_lidar.points_digest(frame.points) != rec["sha256"]:
            raise SystemExit(f"{scene_set}: frame {i} | render does not match the recorded sha256")
        lidar_path = f"lidar/{i:04d}.bin"
        _with_ring(frame.points, spec.sensor).tofile(os.path.join(out_dir, lidar_path))
        past = synthetic_lidar.SceneSpec(SWEEP_SEED_OFFSET + spec.seed, spec.boxes, spec.semantic, spec.sensor)
        sweep = _with_ring(synthetic_lidar.render_scene(past).points, spec.sensor)
        # In the sweep's own sensor frame: LoadPointsFromMultiSweeps maps it back with p @ R - t.
        sweep[:, :3] = ((sweep[:, :3].astype(np.float64) + mat[:3, 3]) @ mat[:3, :3].T).astype(np.float32)
        sweep_path = f"lidar/{i:04d}_sweep1.bin"
        sweep.tofile(os.path.join(out_dir, sweep_path))
        boxes, labels, counts = synthetic_set.annotated(spec, np.asarray(rec["box_points"], np.int64), min_points)
        timestamp = TIMESTAMP0 + 0.5 * i
        entry = info_pkl.make_info_entry(i, lidar_path, boxes, labels, 5, counts, timestamp=timestamp)
        entry["lidar_sweeps"] = [
            {
                "lidar_points": {"lidar_path": sweep_path, "lidar2sensor": mat.tolist()},
                "timestamp": timestamp - t4_dataset.SWEEP_LAG_S,
                "sample_data_token": f"{i:04d}_sweep1",
            }
        ]
        entries.append(entry)
    path = os.path.join(out_dir, INFO_NAME)
    info_pkl.write_info_pkl(path, entries, t4_dataset.T4_CLASSES, dataset="centerpoint_t4_sweeps")
    return path


def main(argv: list[str] | None = None) -> int:
    """Entry point.

    Args:
        argv (list[str] | None): Arguments. Defaults to ``sys.argv[1:]``.

    Returns:
        int: Exit code.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scene-set", default=os.path.join(ASSETS, "eval_scenes.json"))
    parser.add_argument("--out-dir", default=os.path.join(ASSETS, "t4_sweeps"))
    parser.add_argument("--num-frames", type=int, default=4, help="4 frames + 4 sweeps: about 3.2 MB")
    args = parser.parse_args(argv)
    path = write_t4_sweeps(args.scene_set, args.out_dir, args.num_frames)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(args.out_dir) for f in fs)
    print(f"{path}: {args.num_frames} frames with one sweep each, {size / 1e6:.2f} MB in {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
