"""mmdet3d / AWML (T4) info ``.pkl`` files: read, validate, load points; and write small ones.

The files are the mmdet3d 1.x "v2" info format that AWML's T4 converters also write::

    {"metainfo": {"classes": [...]} or {"categories": {name: id}},
     "data_list": [
        {"sample_idx": ..., "token": ..., "timestamp": ...,
         "lidar_points": {"lidar_path": "x.bin", "num_pts_feats": 4},
         "lidar_sweeps": [{"lidar_points": {"lidar_path": ..., "lidar2sensor": 4x4}, "timestamp": ...}, ...],
         "pts_semantic_mask_path": "x_sem.bin",                    # optional
         "instances": [{"bbox_3d": [x, y, z, l, w, h, yaw], "bbox_label_3d": k, "num_lidar_pts": n}, ...]},
        ...]}

Boxes: ``bbox_3d`` holds the box's **gravity centre** (T4/nuScenes convention, mmdet3d origin (0.5, 0.5, 0.5)),
``l, w, h`` and yaw about +z from +x; values past the 7th (e.g. velocity) are ignored. Instances whose
``bbox_label_3d`` is -1 (mmdet3d's "class not in the list") are dropped. Point files are raw little-endian
float32 (``.bin``, ``num_pts_feats`` values per point) or ``.npy`` arrays of shape (N, num_pts_feats). Relative
paths are resolved against ``data_root`` (default: the info file's folder).

Only NumPy and pickle are used. The file is read with :mod:`awml_deploy.core.safe_pickle` (no code from the
file runs: only builtin containers/scalars and NumPy arrays are rebuilt). Every malformed input fails with one
line naming the file, the entry and what is accepted.
"""

from __future__ import annotations

import dataclasses
import os
import pickle

import numpy as np

from awml_deploy.core.errors import fail
from awml_deploy.core.safe_pickle import load_restricted


@dataclasses.dataclass(frozen=True)
class SweepInfo:
    """One past LiDAR sweep of a frame.

    Attributes:
        lidar_path: Resolved path of the sweep's point file.
        timestamp: Sweep time (s), or None when the file has none.
        lidar2sensor: (4, 4) ``lidar_points.lidar2sensor`` of the sweep (see :func:`load_points`), in the dtype
            the file stores (mmdet3d computes with that dtype), or None (points already in the current frame).
    """

    lidar_path: str
    timestamp: float | None
    lidar2sensor: np.ndarray | None


@dataclasses.dataclass(frozen=True)
class FrameInfo:
    """One ``data_list`` entry.

    Attributes:
        index: Position in ``data_list``.
        sample_idx: The entry's ``sample_idx`` (or its index when absent).
        token: The entry's ``token`` (or ``str(sample_idx)``).
        timestamp: Frame time (s), or None.
        lidar_path: Resolved path of the point file.
        num_pts_feats: Values per point in the point file.
        sweeps: Past sweeps, newest first as stored.
        gt_boxes: (K, 7) float32 boxes (x, y, z_gravity_centre, l, w, h, yaw).
        gt_labels: (K,) int64 labels into the file's classes.
        num_lidar_pts: (K,) int64 points per box (-1 where the file does not say).
        semantic_mask_path: Resolved path of a per-point uint8 label file, or None.
        has_sweeps_key: Whether the entry has ``lidar_sweeps`` at all (mmdet3d pads only frames without it).
    """

    index: int
    sample_idx: object
    token: str
    timestamp: float | None
    lidar_path: str
    num_pts_feats: int
    sweeps: tuple[SweepInfo, ...]
    gt_boxes: np.ndarray
    gt_labels: np.ndarray
    num_lidar_pts: np.ndarray
    semantic_mask_path: str | None
    has_sweeps_key: bool = True


@dataclasses.dataclass(frozen=True)
class InfoFile:
    """A parsed info file.

    Attributes:
        path: The ``.pkl`` path.
        classes: Class names, index = label.
        frames: The parsed ``data_list``.
        metainfo: The raw ``metainfo`` dict.
    """

    path: str
    classes: tuple[str, ...]
    frames: tuple[FrameInfo, ...]
    metainfo: dict


def _classes_of(metainfo: object, path: str) -> tuple[str, ...]:
    if isinstance(metainfo, dict) and isinstance(metainfo.get("classes"), (list, tuple)):
        return tuple(str(c) for c in metainfo["classes"])
    if isinstance(metainfo, dict) and isinstance(metainfo.get("categories"), dict):
        cats = metainfo["categories"]
        ids = sorted(cats.values())
        if ids != list(range(len(ids))):
            fail(f"{path} | metainfo.categories ids are not 0..K-1. Note: expected consecutive ids, got {ids}")
        return tuple(name for name, _ in sorted(cats.items(), key=lambda kv: kv[1]))
    got = sorted(metainfo) if isinstance(metainfo, dict) else type(metainfo).__name__
    fail(
        f"{path} | metainfo has no class list. Note: expected metainfo.classes (list) or metainfo.categories (dict), got {got}"
    )


def _resolve(path: str, root: str) -> str:
    return path if os.path.isabs(path) else os.path.join(root, path)


def _parse_instances(entry: dict, where: str, num_classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    instances = entry.get("instances", [])
    if not isinstance(instances, (list, tuple)):
        fail(f"{where}.instances | not a list. Note: expected a list of dicts, got {type(instances).__name__}")
    boxes, labels, npts = [], [], []
    for k, inst in enumerate(instances):
        if not isinstance(inst, dict) or "bbox_3d" not in inst or "bbox_label_3d" not in inst:
            fail(f"{where}.instances[{k}] | missing keys. Note: expected bbox_3d and bbox_label_3d, got {inst!r:.80}")
        box = np.asarray(inst["bbox_3d"], dtype=np.float64).reshape(-1)
        if box.size < 7 or not np.all(np.isfinite(box[:7])):
            fail(f"{where}.instances[{k}].bbox_3d | bad box. Note: expected >= 7 finite numbers, got {box.tolist()}")
        label = int(inst["bbox_label_3d"])
        if label == -1:
            continue
        if not 0 <= label < num_classes:
            fail(
                f"{where}.instances[{k}].bbox_label_3d | out of range. Note: expected -1 or 0..{num_classes - 1}, got {label}"
            )
        boxes.append(box[:7])
        labels.append(label)
        npts.append(int(inst.get("num_lidar_pts", -1)))
    return (
        np.asarray(boxes, dtype=np.float32).reshape(-1, 7),
        np.asarray(labels, dtype=np.int64),
        np.asarray(npts, dtype=np.int64),
    )


def _parse_sweeps(entry: dict, where: str, root: str) -> tuple[SweepInfo, ...]:
    sweeps = entry.get("lidar_sweeps", []) or []
    out = []
    for k, sweep in enumerate(sweeps):
        lp = sweep.get("lidar_points") if isinstance(sweep, dict) else None
        if not isinstance(lp, dict) or not isinstance(lp.get("lidar_path"), str):
            fail(f"{where}.lidar_sweeps[{k}] | no lidar_points.lidar_path. Note: expected a dict with a path string")
        mat = lp.get("lidar2sensor")
        if mat is not None:
            mat = np.array(mat)
            if mat.shape != (4, 4) or mat.dtype.kind != "f":
                fail(
                    f"{where}.lidar_sweeps[{k}].lidar_points.lidar2sensor | bad shape. Note: expected (4, 4) floats, got {mat.shape} {mat.dtype}"
                )
        ts = sweep.get("timestamp")
        out.append(SweepInfo(_resolve(lp["lidar_path"], root), None if ts is None else float(ts), mat))
    return tuple(out)


def load_info_pkl(path: str, data_root: str | None = None) -> InfoFile:
    """Reads and validates an info file.

    Args:
        path (str): The ``.pkl`` file.
        data_root (str | None): Folder that relative point paths are resolved against. Defaults to the info
            file's folder.

    Returns:
        InfoFile: Classes and frames.

    Raises:
        DeployError: Missing/unreadable file or malformed content (one line: which entry, what is expected).
    """
    data_root = os.path.dirname(os.path.abspath(path)) if data_root is None else data_root
    if not os.path.isfile(path):
        fail(f"{path} | info file not found. Note: expected an mmdet3d/AWML info .pkl")
    data = load_restricted(path, path)
    if not isinstance(data, dict) or not isinstance(data.get("data_list"), (list, tuple)):
        got = sorted(data) if isinstance(data, dict) else type(data).__name__
        fail(
            f"{path} | not an mmdet3d v2 info file. Note: expected a dict with 'metainfo' and 'data_list' (list), got {got}"
        )
    metainfo = data.get("metainfo", {})
    classes = _classes_of(metainfo, path)
    frames = []
    for i, entry in enumerate(data["data_list"]):
        where = f"{path}: data_list[{i}]"
        if not isinstance(entry, dict):
            fail(f"{where} | not a dict. Note: expected a dict per frame, got {type(entry).__name__}")
        lp = entry.get("lidar_points")
        if not isinstance(lp, dict) or not isinstance(lp.get("lidar_path"), str):
            fail(
                f"{where} | no lidar_points.lidar_path. Note: expected lidar_points = {{'lidar_path': str, 'num_pts_feats': int}}"
            )
        nfeat = lp.get("num_pts_feats", 4)
        if not isinstance(nfeat, (int, np.integer)) or isinstance(nfeat, bool) or nfeat < 3:
            fail(f"{where}.lidar_points.num_pts_feats | bad value. Note: expected an int >= 3, got {nfeat!r}")
        boxes, labels, npts = _parse_instances(entry, where, len(classes))
        sample_idx = entry.get("sample_idx", i)
        ts = entry.get("timestamp")
        sem = entry.get("pts_semantic_mask_path")
        frames.append(
            FrameInfo(
                index=i,
                sample_idx=sample_idx,
                token=str(entry.get("token", sample_idx)),
                timestamp=None if ts is None else float(ts),
                lidar_path=_resolve(lp["lidar_path"], data_root),
                num_pts_feats=int(nfeat),
                sweeps=_parse_sweeps(entry, where, data_root),
                gt_boxes=boxes,
                gt_labels=labels,
                num_lidar_pts=npts,
                semantic_mask_path=None if sem is None else _resolve(sem, data_root),
                has_sweeps_key="lidar_sweeps" in entry,
            )
        )
    return InfoFile(path=path, classes=classes, frames=tuple(frames), metainfo=dict(metainfo))


def read_point_file(path: str, num_pts_feats: int) -> np.ndarray:
    """Reads a ``.bin`` (raw float32) or ``.npy`` point file as (N, num_pts_feats) float32.

    Args:
        path (str): The file.
        num_pts_feats (int): Values per point.

    Returns:
        np.ndarray: (N, num_pts_feats) float32.

    Raises:
        DeployError: Missing file or a size/shape that does not fit ``num_pts_feats``.
    """
    if not os.path.isfile(path):
        fail(f"{path} | point file not found. Note: expected a .bin/.npy file with {num_pts_feats} float32 per point")
    if path.endswith(".npy"):
        arr = np.load(path, allow_pickle=False)
        if arr.ndim != 2 or arr.shape[1] != num_pts_feats:
            fail(
                f"{path} | wrong point width. Note: expected shape (N, {num_pts_feats}) (num_pts_feats), got {arr.shape}"
            )
        return np.ascontiguousarray(arr, dtype=np.float32)
    size = os.path.getsize(path)
    if size % (4 * num_pts_feats) != 0:
        fits = [k for k in range(3, 9) if size % (4 * k) == 0]
        fail(
            f"{path} | size {size} B is not a multiple of 4*num_pts_feats = {4 * num_pts_feats} B, so the file does "
            f"not hold {num_pts_feats} float32 per point. Note: expected num_pts_feats matching the file, widths that "
            f"would fit: {fits}"
        )
    return np.fromfile(path, dtype="<f4").reshape(-1, num_pts_feats)


def load_points(frame: FrameInfo, num_sweeps: int | None = None) -> np.ndarray:
    """Loads a frame's points, optionally with past sweeps appended.

    Sweep points are moved into the current frame with the sweep's ``lidar2sensor`` the way mmdet3d's
    ``LoadPointsFromMultiSweeps`` reads it (``p' = p @ R - t`` with ``R = lidar2sensor[:3, :3]``,
    ``t = lidar2sensor[:3, 3]``) and get the time lag ``frame.timestamp - sweep.timestamp`` (s) in their last
    column; the current frame's points keep their own last column. Sweeps must have the frame's
    ``num_pts_feats``.

    Args:
        frame (FrameInfo): The frame.
        num_sweeps (int | None): How many past sweeps to append. Defaults to 0.

    Returns:
        np.ndarray: (N, num_pts_feats) float32.
    """
    num_sweeps = 0 if num_sweeps is None else num_sweeps
    points = read_point_file(frame.lidar_path, frame.num_pts_feats)
    parts = [points]
    for sweep in frame.sweeps[:num_sweeps]:
        sp = read_point_file(sweep.lidar_path, frame.num_pts_feats).copy()
        if sweep.lidar2sensor is not None:
            rot, trans = sweep.lidar2sensor[:3, :3], sweep.lidar2sensor[:3, 3]
            sp[:, :3] = (sp[:, :3].astype(np.float64) @ rot.astype(np.float64) - trans).astype(np.float32)
        if frame.timestamp is not None and sweep.timestamp is not None:
            sp[:, -1] = frame.timestamp - sweep.timestamp
        parts.append(sp)
    return np.concatenate(parts, axis=0) if len(parts) > 1 else points


def load_semantic_mask(frame: FrameInfo, num_points: int) -> np.ndarray:
    """Loads a frame's per-point uint8 semantic labels and checks their count.

    Args:
        frame (FrameInfo): The frame (must have ``semantic_mask_path``).
        num_points (int): Number of points of the frame's own cloud.

    Returns:
        np.ndarray: (num_points,) uint8.
    """
    if frame.semantic_mask_path is None:
        fail(f"data_list[{frame.index}] | no pts_semantic_mask_path. Note: expected a frame with semantic labels")
    if not os.path.isfile(frame.semantic_mask_path):
        fail(f"{frame.semantic_mask_path} | semantic mask file not found. Note: expected one uint8 per point")
    mask = np.fromfile(frame.semantic_mask_path, dtype=np.uint8)
    if len(mask) != num_points:
        fail(
            f"{frame.semantic_mask_path} | label count mismatch. Note: expected {num_points} (one per point), got {len(mask)}"
        )
    return mask


def make_info_entry(
    sample_idx: int,
    lidar_path: str,
    boxes: np.ndarray,
    labels: np.ndarray,
    num_pts_feats: int | None = None,
    num_lidar_pts: np.ndarray | None = None,
    semantic_mask_path: str | None = None,
    timestamp: float | None = None,
) -> dict:
    """Builds one ``data_list`` entry in the format :func:`load_info_pkl` reads.

    Args:
        sample_idx (int): Frame index.
        lidar_path (str): Point file path (relative to the data root or absolute).
        boxes (np.ndarray): (K, 7) gravity-centre boxes.
        labels (np.ndarray): (K,) labels.
        num_pts_feats (int | None): Values per point. Defaults to 4.
        num_lidar_pts (np.ndarray | None): (K,) points per box. Defaults to not recorded.
        semantic_mask_path (str | None): Per-point label file. Defaults to none.
        timestamp (float | None): Frame time. Defaults to ``0.1 * sample_idx``.

    Returns:
        dict: The entry.
    """
    num_pts_feats = 4 if num_pts_feats is None else num_pts_feats
    timestamp = 0.1 * sample_idx if timestamp is None else timestamp
    instances = []
    for k, (box, label) in enumerate(
        zip(np.asarray(boxes).reshape(-1, 7), np.asarray(labels).reshape(-1), strict=True)
    ):
        inst = {"bbox_3d": [float(v) for v in box], "bbox_label_3d": int(label), "bbox_3d_isvalid": True}
        if num_lidar_pts is not None:
            inst["num_lidar_pts"] = int(num_lidar_pts[k])
        instances.append(inst)
    entry = {
        "sample_idx": int(sample_idx),
        "token": f"{int(sample_idx):06d}",
        "timestamp": float(timestamp),
        "lidar_points": {"lidar_path": lidar_path, "num_pts_feats": int(num_pts_feats)},
        "lidar_sweeps": [],
        "instances": instances,
    }
    if semantic_mask_path is not None:
        entry["pts_semantic_mask_path"] = semantic_mask_path
    return entry


def write_info_pkl(
    path: str, entries: list[dict], classes: tuple[str, ...] | list[str], dataset: str | None = None
) -> None:
    """Writes an info file (pickle protocol 4) with ``metainfo.classes`` and ``metainfo.categories``.

    Args:
        path (str): Output ``.pkl``.
        entries (list[dict]): ``data_list`` entries, e.g. from :func:`make_info_entry`.
        classes (tuple[str, ...] | list[str]): Class names.
        dataset (str | None): ``metainfo.dataset``. Defaults to "awml_deploy_synthetic".
    """
    dataset = "awml_deploy_synthetic" if dataset is None else dataset
    metainfo = {
        "classes": list(classes),
        "categories": {name: i for i, name in enumerate(classes)},
        "dataset": dataset,
        "info_version": "1.1",
    }
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        pickle.dump({"metainfo": metainfo, "data_list": list(entries)}, f, protocol=4)
