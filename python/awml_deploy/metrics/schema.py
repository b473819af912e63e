"""Input parsing: frames (JSON dicts or :mod:`frames` dataclasses) into columns, with path-named errors.

Every malformed field fails through :func:`awml_deploy.core.errors.fail` with one line naming its path,
e.g. ``frames[3].pred[0].size | wrong length. Note: expected 3 numbers, got [1.0, 2.0]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np

from awml_deploy.core.errors import fail, short_repr
from awml_deploy.metrics.checks import bad, get_field, is_number
from awml_deploy.metrics.frames import ArrayFrame3D, Boxes2D, Boxes3D


def get_number(obj: Any, key: str, path: str) -> float:
    value = get_field(obj, key, path, "a number")
    if not is_number(value):
        bad(f"{path}.{key}", "not a number", "a number", value)
    return value


def get_vector(obj: Any, key: str, path: str, n: int) -> Sequence[float]:
    value = get_field(obj, key, path, f"a list of {n} numbers")
    if not isinstance(value, (list, tuple, np.ndarray)):
        bad(f"{path}.{key}", "not a list", f"a list of {n} numbers", value)
    if len(value) != n:
        bad(f"{path}.{key}", f"expected {n} numbers, got {len(value)}", f"a list of {n} numbers", value)
    for i, v in enumerate(value):
        if not is_number(v):
            bad(f"{path}.{key}[{i}]", "not a number", "a number", v)
    return value


def get_string(obj: Any, key: str, path: str) -> str:
    value = get_field(obj, key, path, "a string")
    if not isinstance(value, str):
        bad(f"{path}.{key}", "not a string", "a string", value)
    return value


def frame_list(frames: Any) -> Sequence[Any]:
    """The list of frames from ``{"frames": [...]}`` or a list of frames."""
    if isinstance(frames, Mapping):
        frames = get_field(frames, "frames", "<root>", "a list of frames")
        path = "frames"
    else:
        path = "frames"
    if not isinstance(frames, (list, tuple)):
        bad(path, "not a list", "a list of frames", frames)
    return frames


def frame_sides(frame: Any, path: str) -> tuple[Sequence[Any], Sequence[Any]]:
    """``(gt, pred)`` of one frame after checking the frame's own fields."""
    if not isinstance(frame, Mapping) and not hasattr(frame, "gt"):
        bad(path, "not an object", 'an object with "frame_index", "timestamp_us", "gt", "pred"', frame)
    for key in ("frame_index", "timestamp_us"):
        value = get_field(frame, key, path, "an integer")
        if type(value) is bool or not isinstance(value, (int, np.integer)):
            bad(f"{path}.{key}", "not an integer", "an integer", value)
    sides = []
    for key in ("gt", "pred"):
        objects = get_field(frame, key, path, "a list of objects")
        if not isinstance(objects, (list, tuple)):
            bad(f"{path}.{key}", "not a list", "a list of objects", objects)
        sides.append(objects)
    return sides[0], sides[1]


def check_unique_frame_indices(frames: Sequence[Any]) -> None:
    """Fails on the first ``frame_index`` that repeats an earlier one (the same frame given twice).

    Frames are identified by ``frame_index``; a repeated index almost always means a frame list concatenated
    twice, which would count its ground truth twice. Call after :func:`frame_sides` checked the field.
    """
    seen: dict[int, int] = {}
    for fi, frame in enumerate(frames):
        value = int(frame["frame_index"] if isinstance(frame, Mapping) else frame.frame_index)
        if value in seen:
            bad(
                f"frames[{fi}].frame_index",
                f"duplicate of frames[{seen[value]}].frame_index",
                "a frame_index unique in the frame list",
                value,
            )
        seen[value] = fi


def _check_object(obj: Any, path: str) -> None:
    if not isinstance(obj, Mapping) and not hasattr(obj, "label"):
        bad(path, "not an object", "an object with a label", obj)


def _first_bad_row(ok: np.ndarray) -> int:
    return int(np.flatnonzero(~ok)[0])


_NUMBER_TYPES = frozenset({int, float, np.float64, np.float32, np.int64, np.int32})
_VECTOR_TYPES = frozenset({list, tuple})


def _collect(frames: Sequence[Any]) -> dict[str, tuple[list[Any], np.ndarray, np.ndarray]]:
    """Per side: all objects of all frames (flat), their frame positions and their index in the frame."""
    flat: dict[str, list[Any]] = {"gt": [], "pred": []}
    counts: dict[str, list[int]] = {"gt": [], "pred": []}
    for fi, frame in enumerate(frames):
        for side, objects in zip(("gt", "pred"), frame_sides(frame, f"frames[{fi}]"), strict=True):
            flat[side].extend(objects)
            counts[side].append(len(objects))
    check_unique_frame_indices(frames)
    out = {}
    for side in ("gt", "pred"):
        n = np.asarray(counts[side], dtype=np.int64)
        frame = np.repeat(np.arange(len(n)), n)
        index = np.arange(len(frame)) - np.repeat(np.cumsum(n) - n, n)
        out[side] = (flat[side], frame, index)
    return out


_BLOCK = 2048  # objects per step of the fast path: a step's dicts, lists and numbers stay in cache across its passes


def _fast_columns(objects: list[Any], keys: tuple[str, ...], vectors: dict[str, int]) -> list[Any] | None:
    """Columns of ``keys`` when every object is well-formed (checked with C-level type scans), else None.

    ``vectors`` maps keys holding fixed-length number lists to their length; other keys except "label" hold
    numbers. Returns the labels as a list, vectors as (n, length) and numbers as (n,) float64 arrays. Any
    irregularity returns None so that the caller's per-object pass names the bad field. Objects are taken a
    block at a time (every pass of a block runs while it is in cache).
    """
    parts: list[list[Any]] = [[] for _ in keys]
    for start in range(0, len(objects), _BLOCK):
        block = objects[start : start + _BLOCK]
        kinds = set(map(type, block))
        if kinds == {dict}:
            getter = itemgetter
        elif not any(issubclass(k, Mapping) for k in kinds):
            getter = attrgetter
        else:
            return None
        try:
            columns = [list(map(getter(key), block)) for key in keys]  # references only: no new containers
        except (KeyError, AttributeError, TypeError):
            return None
        for part, key, column in zip(parts, keys, columns, strict=True):
            if key == "label":
                if set(map(type, column)) != {str}:
                    return None
                part.extend(column)
            elif key in vectors:
                if not set(map(type, column)) <= _VECTOR_TYPES or set(map(len, column)) != {vectors[key]}:
                    return None
                if not set(map(type, chain.from_iterable(column))) <= _NUMBER_TYPES:
                    return None
                part.append(_matrix(column, vectors[key]))
            elif not set(map(type, column)) <= _NUMBER_TYPES:
                return None
            else:
                part.append(np.array(column, dtype=np.float64))
    out: list[Any] = [parts[0]]
    for key, part in zip(keys[1:], parts[1:], strict=True):
        empty = np.zeros((0, vectors[key]) if key in vectors else 0)
        out.append(np.concatenate(part) if part else empty)
    return out


def _slow_columns(
    objects: list[Any],
    frame: np.ndarray,
    index: np.ndarray,
    side: str,
    vectors: dict[str, int],
    numbers: tuple[str, ...],
) -> list[list[Any]]:
    """Columns built object by object; fails on the first malformed field with its path."""
    columns: list[list[Any]] = [[] for _ in range(1 + len(vectors) + len(numbers))]
    for obj, fi, oi in zip(objects, frame, index, strict=True):
        path = f"frames[{fi}].{side}[{oi}]"
        _check_object(obj, path)
        values = [get_string(obj, "label", path)]
        values += [[float(v) for v in get_vector(obj, key, path, n)] for key, n in vectors.items()]
        values += [get_number(obj, key, path) for key in numbers]
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return columns


def _columns(objects, frame, index, side, vectors: dict[str, int], numbers: tuple[str, ...]) -> list[Any]:
    """``label`` (a list), then ``*vectors`` ((n, length)) and ``*numbers`` ((n,)) float64 arrays of one side.

    The fast path when every object is well-formed, else object by object (failing on the first bad field).
    """
    keys = ("label", *vectors, *numbers)
    columns = _fast_columns(objects, keys, vectors)
    if columns is None:
        rows = _slow_columns(objects, frame, index, side, vectors, numbers)
        columns = [rows[0]] + [
            _matrix(rows[i], vectors[key]) if key in vectors else np.array(rows[i], dtype=np.float64).reshape(-1)
            for i, key in enumerate(keys)
            if i
        ]
    return columns


def _matrix(rows: list[Sequence[float]], width: int) -> np.ndarray:
    """(n, width) float64 array from rows already checked to hold ``width`` numbers each."""
    return np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=len(rows) * width).reshape(-1, width)


def _check_rows(ok: np.ndarray, frame, index, side: str, key: str, accepted: str, values: np.ndarray) -> None:
    if not ok.all():
        row = _first_bad_row(ok)
        bad(f"frames[{frame[row]}].{side}[{index[row]}].{key}", "invalid value", accepted, values[row].tolist())


def parse_boxes_3d(frames: Any, labels: Sequence[str]) -> tuple[Boxes3D, Boxes3D, int]:
    """Parses 3D frames into ground-truth and prediction columns.

    Args:
        frames (Any): ``{"frames": [...]}``, a list of frame dicts, or a list of :class:`Frame3D`.
        labels (Sequence[str]): Target labels; other labels get label index -1.

    Returns:
        tuple[Boxes3D, Boxes3D, int]: Ground truth, predictions, number of frames.
    """
    frames = frame_list(frames)
    if frames and isinstance(frames[0], ArrayFrame3D):
        return _parse_array_frames(frames, labels)
    index_of = {name: i for i, name in enumerate(labels)}
    out = []
    for side, (objects, frame, index) in _collect(frames).items():
        numbers = ("yaw", "score") if side == "pred" else ("yaw",)
        columns = _columns(objects, frame, index, side, {"center": 3, "size": 3}, numbers)
        n = len(objects)
        label = np.fromiter(map(index_of.get, columns[0], repeat(-1)), dtype=np.int64, count=n)
        center, size, yaw = columns[1], columns[2], columns[3]
        score = columns[4] if side == "pred" else np.full(n, np.nan)
        _check_rows(np.isfinite(center).all(axis=1), frame, index, side, "center", "3 finite numbers", center)
        _check_rows(
            np.isfinite(size).all(axis=1) & (size >= 0).all(axis=1),
            frame,
            index,
            side,
            "size",
            "3 finite numbers >= 0 (l, w, h)",
            size,
        )
        _check_rows(np.isfinite(yaw), frame, index, side, "yaw", "a finite number", yaw)
        if side == "pred":
            _check_rows(np.isfinite(score), frame, index, side, "score", "a finite number", score)
        out.append(Boxes3D(frame, label, center, size, yaw, score))
    return out[0], out[1], len(frames)


def _parse_array_frames(frames: Sequence[Any], labels: Sequence[str]) -> tuple[Boxes3D, Boxes3D, int]:
    """:func:`parse_boxes_3d` for a list of :class:`ArrayFrame3D` (checked per frame, converted per array)."""
    index_of = {name: i for i, name in enumerate(labels)}
    out = []
    for side in ("gt", "pred"):
        parts: dict[str, list[np.ndarray]] = {
            "label": [],
            "center": [],
            "size": [],
            "yaw": [],
            "score": [],
            "frame": [],
        }
        for fi, frame in enumerate(frames):
            path = f"frames[{fi}]"
            if not isinstance(frame, ArrayFrame3D):
                bad(path, "mixed frame types", "every frame an ArrayFrame3D", type(frame).__name__)
            names = list(getattr(frame, f"{side}_label"))
            if names and set(map(type, names)) != {str}:
                bad(f"{path}.{side}_label", "not all strings", "a sequence of label names", names)
            n = len(names)
            shapes = {"center": (n, 3), "size": (n, 3), "yaw": (n,)} | ({"score": (n,)} if side == "pred" else {})
            for key, shape in shapes.items():
                arr = getattr(frame, f"{side}_{key}")
                try:
                    arr = np.asarray(arr, dtype=np.float64).reshape(shape) if n else np.zeros(shape)
                except (TypeError, ValueError) as err:
                    accepted = f"a float array of shape {shape}"
                    fail(
                        f"{path}.{side}_{key} | wrong array. Note: expected {accepted}, got {short_repr(arr)}",
                        cause=err,
                    )
                parts[key].append(arr)
            parts["label"].append(np.array([index_of.get(name, -1) for name in names], dtype=np.int64))
            parts["frame"].append(np.full(n, fi, dtype=np.int64))
        cat = {k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}
        center, size = cat["center"].reshape(-1, 3), cat["size"].reshape(-1, 3)
        rows = {"center": center, "size": size, "yaw": cat["yaw"][:, None]}
        if side == "pred":
            rows["score"] = cat["score"][:, None]
        for key, values in rows.items():
            ok = np.isfinite(values).all(axis=1) & ((values >= 0).all(axis=1) if key == "size" else True)
            if not ok.all():
                fi = int(cat["frame"][_first_bad_row(ok)])
                bad(
                    f"frames[{fi}].{side}_{key}",
                    "non-finite or negative values",
                    "finite values (sizes >= 0)",
                    values[_first_bad_row(ok)].tolist(),
                )
        score = cat["score"] if side == "pred" else np.full(len(center), np.nan)
        frame_col, label_col = cat["frame"].astype(np.int64), cat["label"].astype(np.int64)
        out.append(Boxes3D(frame_col, label_col, center, size, cat["yaw"], score))
    return out[0], out[1], len(frames)


def parse_boxes_2d(frames: Any, labels: Sequence[str]) -> tuple[Boxes2D, Boxes2D, int]:
    """Parses 2D frames (pixel boxes ``[x1, y1, x2, y2]``) into ground-truth and prediction columns.

    Args:
        frames (Any): ``{"frames": [...]}``, a list of frame dicts, or a list of :class:`Frame2D`.
        labels (Sequence[str]): Target labels; other labels get label index -1.

    Returns:
        tuple[Boxes2D, Boxes2D, int]: Ground truth, predictions, number of frames.
    """
    frames = frame_list(frames)
    index_of = {name: i for i, name in enumerate(labels)}
    out = []
    for side, (objects, frame, index) in _collect(frames).items():
        numbers = ("score",) if side == "pred" else ()
        columns = _columns(objects, frame, index, side, {"box": 4}, numbers)
        label = np.array([index_of.get(name, -1) for name in columns[0]], dtype=np.int64)
        box = columns[1]
        score = columns[2] if side == "pred" else np.full(len(box), np.nan)
        ok = np.isfinite(box).all(axis=1) & (box[:, 2] >= box[:, 0]) & (box[:, 3] >= box[:, 1])
        _check_rows(ok, frame, index, side, "box", "finite [x1, y1, x2, y2] with x2 >= x1 and y2 >= y1", box)
        if side == "pred":
            _check_rows(np.isfinite(score), frame, index, side, "score", "a finite number", score)
        out.append(Boxes2D(frame, label, box, score))
    return out[0], out[1], len(frames)


def parse_classification(frames: Any) -> list[tuple[list[tuple[str, str]], list[tuple[str, str]]]]:
    """Parses classification frames into per-frame ``(gt, pred)`` lists of ``(uuid, label)``.

    Args:
        frames (Any): ``{"frames": [...]}``, a list of frame dicts, or a list of :class:`ClassificationFrame`.

    Returns:
        list: One ``(gt, pred)`` pair per frame. Uuids are unique per side within a frame (checked).
    """
    parsed = []
    for fi, frame in enumerate(frame_list(frames)):
        fpath = f"frames[{fi}]"
        pair = []
        for side, objects in zip(("gt", "pred"), frame_sides(frame, fpath), strict=True):
            seen: set[str] = set()
            items = []
            for oi, obj in enumerate(objects):
                path = f"{fpath}.{side}[{oi}]"
                _check_object(obj, path)
                uuid = get_string(obj, "uuid", path)
                if uuid in seen:
                    bad(f"{path}.uuid", "duplicate uuid in this frame", "uuids unique per frame and side", uuid)
                seen.add(uuid)
                items.append((uuid, get_string(obj, "label", path)))
            pair.append(items)
        parsed.append((pair[0], pair[1]))
    check_unique_frame_indices(frame_list(frames))
    return parsed


def _label_array(frame: Any, key: str, path: str) -> np.ndarray:
    """``frame[key]`` as a 1-D int64 array of labels (a list of ints or an integer NumPy array)."""
    value = get_field(frame, key, path, "a list of integer labels")
    if isinstance(value, np.ndarray):
        if value.ndim != 1 or (value.size and value.dtype.kind not in "iu"):
            bad(f"{path}.{key}", "not a 1-D integer array", "a list of integer labels", f"{value.dtype}{value.shape}")
        return value.astype(np.int64, copy=False)
    if not isinstance(value, (list, tuple)):
        bad(f"{path}.{key}", "not a list", "a list of integer labels", value)
    kinds = np.fromiter((type(v) is int or isinstance(v, np.integer) for v in value), dtype=bool, count=len(value))
    if not kinds.all():
        first = int(np.argmin(kinds))
        bad(f"{path}.{key}[{first}]", "not an integer", "an integer label", value[first])
    return np.asarray(value, dtype=np.int64).reshape(-1)


def parse_segmentation(frames: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """Parses segmentation frames into per-frame ``(gt_labels, pred_labels)`` int64 arrays of equal length.

    Args:
        frames (Any): ``{"frames": [...]}`` or a list of frames, each a mapping (or object) with ``gt_labels``
            and ``pred_labels``: lists of ints or 1-D integer NumPy arrays, one entry per point/pixel.

    Returns:
        list: One ``(gt, pred)`` pair per frame (label range checks are the evaluator's).
    """
    parsed = []
    for fi, frame in enumerate(frame_list(frames)):
        path = f"frames[{fi}]"
        if not isinstance(frame, Mapping) and not hasattr(frame, "gt_labels"):
            bad(path, "not an object", 'an object with "gt_labels" and "pred_labels"', frame)
        gt = _label_array(frame, "gt_labels", path)
        pred = _label_array(frame, "pred_labels", path)
        if len(gt) != len(pred):
            bad(f"{path}.pred_labels", "length differs from gt_labels", f"{len(gt)} labels (one per point)", len(pred))
        parsed.append((gt, pred))
    return parsed
