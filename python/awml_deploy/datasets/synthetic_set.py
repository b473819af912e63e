"""Sets of synthetic scenes on disk: a JSON of scene specs (committed) -> point files + an info ``.pkl``.

A scene set is stored as JSON: the sensor, and per frame the scene spec (seed, boxes, semantic labels), the
number of points and the sha256 of the rendered cloud (:func:`synthetic_lidar.points_digest`). Points are not
stored: :func:`materialize_scene_set` re-renders them deterministically, checks each cloud against its sha256
(failing clearly on a mismatch) and writes mmdet3d-style ``.bin`` files plus per-point semantic labels next
to an info ``.pkl``, so that evaluation reads the frames through the regular info-file loader
(:mod:`awml_deploy.datasets.info_pkl`).

Ground truth ("annotated" objects) = detection-class boxes with at least ``min_points`` LiDAR points.
"""

from __future__ import annotations

import dataclasses
import json
import os

import numpy as np

from awml_deploy.core.errors import fail
from awml_deploy.datasets import info_pkl
from awml_deploy.datasets.synthetic_lidar import (
    CLASSES,
    SEMANTIC_CLASSES,
    Frame,
    SceneSpec,
    SensorSpec,
    points_digest,
    render_scene,
    sample_scene,
)

FORMAT = "awml_deploy.synthetic_scene_set"
VERSION = 1
DEFAULT_MIN_POINTS = 5
INFO_NAME = "infos.pkl"


def annotated(spec: SceneSpec, box_points: np.ndarray, min_points: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A scene's ground truth: detection boxes with at least ``min_points`` points.

    Args:
        spec (SceneSpec): The scene.
        box_points (np.ndarray): (M,) points per box of ``spec.boxes`` (distractors included).
        min_points (int): Annotation threshold.

    Returns:
        tuple: boxes (K, 7) float32 (gravity centre), labels (K,) int64, num_points (K,) int64.
    """
    keep = spec.gt_mask() & (np.asarray(box_points) >= min_points)
    return spec.boxes[keep].astype(np.float32), spec.semantic[keep] - 1, np.asarray(box_points, np.int64)[keep]


def box_point_counts(spec: SceneSpec, frame: Frame) -> np.ndarray:
    """(M,) number of points on each box of ``spec.boxes``."""
    return np.bincount(frame.box_index[frame.box_index >= 0], minlength=len(spec.boxes)).astype(np.int64)


def _frame_paths(index: int) -> tuple[str, str]:
    return f"points/{index:06d}.bin", f"semantic/{index:06d}.bin"


def write_frame_files(out_dir: str, index: int, frame: Frame) -> None:
    """Writes one frame's point (float32 x4) and semantic-label (uint8) files under ``out_dir``."""
    for rel, arr in zip(
        _frame_paths(index), (frame.points.astype("<f4"), frame.semantic.astype(np.uint8)), strict=True
    ):
        os.makedirs(os.path.join(out_dir, os.path.dirname(rel)), exist_ok=True)
        arr.tofile(os.path.join(out_dir, rel))


def frame_entry(index: int, spec: SceneSpec, box_points: np.ndarray, min_points: int) -> dict:
    """The info-file entry of frame ``index`` (relative paths as written by :func:`write_frame_files`)."""
    pts_rel, sem_rel = _frame_paths(index)
    boxes, labels, npts = annotated(spec, box_points, min_points)
    return info_pkl.make_info_entry(index, pts_rel, boxes, labels, 4, npts, sem_rel)


def generate_scene_set(
    seeds: list[int], out_dir: str, json_path: str | None = None, min_points: int | None = None, progress=None
) -> str:
    """Samples and renders scenes, writes point files + ``infos.pkl`` to ``out_dir`` and optionally the spec JSON.

    Args:
        seeds (list[int]): One scene per seed.
        out_dir (str): Folder for ``points/``, ``semantic/`` and ``infos.pkl``.
        json_path (str | None): Where to write the scene-set JSON. Defaults to not writing one.
        min_points (int | None): Annotation threshold. Defaults to 5.
        progress (callable | None): Called as ``progress(done, total)``. Defaults to silent.

    Returns:
        str: Path of the written info file.
    """
    min_points = DEFAULT_MIN_POINTS if min_points is None else min_points
    entries, records = [], []
    sensor = SensorSpec()
    for i, seed in enumerate(seeds):
        spec = sample_scene(seed, sensor)
        frame = render_scene(spec)
        counts = box_point_counts(spec, frame)
        write_frame_files(out_dir, i, frame)
        entries.append(frame_entry(i, spec, counts, min_points))
        rec = spec.to_json()
        del rec["sensor"]
        rec.update(box_points=counts.tolist(), num_points=len(frame.points), sha256=points_digest(frame.points))
        records.append(rec)
        if progress is not None:
            progress(i + 1, len(seeds))
    info_path = os.path.join(out_dir, INFO_NAME)
    info_pkl.write_info_pkl(info_path, entries, CLASSES)
    if json_path is not None:
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "classes": list(CLASSES),
            "semantic_classes": list(SEMANTIC_CLASSES),
            "min_points": min_points,
            "box_convention": "x, y, z_gravity_centre, l, w, h, yaw (about +z from +x); ego frame, ground at z=0",
            "sensor": dataclasses.asdict(sensor),
            "frames": records,
        }
        os.makedirs(os.path.dirname(os.path.abspath(json_path)), exist_ok=True)
        with open(json_path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
    return info_path


def load_scene_set(json_path: str) -> tuple[dict, list[SceneSpec]]:
    """Reads a scene-set JSON.

    Args:
        json_path (str): The file.

    Returns:
        tuple: (the JSON document, the scene specs in frame order).
    """
    if not os.path.isfile(json_path):
        fail(f"{json_path} | scene-set JSON not found. Note: expected a file written by generate_scene_set")
    try:
        with open(json_path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as err:
        fail(f"{json_path} | unreadable JSON ({err}). Note: expected a scene-set JSON", cause=err)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        got = (doc.get("format"), doc.get("version")) if isinstance(doc, dict) else type(doc).__name__
        fail(f"{json_path} | not a scene set. Note: expected format {FORMAT!r} version {VERSION}, got {got}")
    specs = [SceneSpec.from_json({**rec, "sensor": doc["sensor"]}) for rec in doc["frames"]]
    return doc, specs


def materialize_scene_set(json_path: str, out_dir: str, limit: int | None = None) -> str:
    """Re-renders a committed scene set into ``out_dir`` (points, labels, ``infos.pkl``), checking every sha256.

    Frames whose point file already exists with the right digest are not re-rendered, so calling this again on
    the same folder is cheap.

    Args:
        json_path (str): The scene-set JSON.
        out_dir (str): Output folder (created).
        limit (int | None): Only the first ``limit`` frames. Defaults to all.

    Returns:
        str: Path of ``out_dir/infos.pkl``; load it with :func:`info_pkl.load_info_pkl`.

    Raises:
        DeployError: A regenerated cloud does not match its recorded sha256 (different generator code or
            NumPy behaviour than the one that wrote the set).
    """
    doc, specs = load_scene_set(json_path)
    limit = len(specs) if limit is None else min(limit, len(specs))
    min_points = int(doc.get("min_points", DEFAULT_MIN_POINTS))
    entries = []
    for i, (spec, rec) in enumerate(zip(specs[:limit], doc["frames"][:limit], strict=True)):
        pts_path, sem_path = (os.path.join(out_dir, rel) for rel in _frame_paths(i))
        cached = (
            os.path.isfile(pts_path)
            and os.path.isfile(sem_path)
            and os.path.getsize(pts_path) == 16 * rec["num_points"]
            and points_digest(np.fromfile(pts_path, dtype="<f4").reshape(-1, 4)) == rec["sha256"]
        )
        if not cached:
            frame = render_scene(spec)
            digest = points_digest(frame.points)
            if digest != rec["sha256"]:
                fail(
                    f"{json_path}: frame {i} (seed {spec.seed}) | regenerated point cloud does not match the recorded "
                    f"sha256 ({len(frame.points)} points, {rec['num_points']} recorded). Note: expected "
                    f"{rec['sha256'][:16]}..., got {digest[:16]}...; the generator or NumPy changed since the set was "
                    "written: regenerate it with projects/centerpoint/tools/generate_dataset.py"
                )
            write_frame_files(out_dir, i, frame)
        entries.append(frame_entry(i, spec, np.asarray(rec["box_points"], np.int64), min_points))
    info_path = os.path.join(out_dir, INFO_NAME)
    info_pkl.write_info_pkl(info_path, entries, CLASSES)
    return info_path
