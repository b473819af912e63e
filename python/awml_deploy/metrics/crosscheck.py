"""Optional cross-check against tier4/autoware_perception_evaluation (``perception_eval``), when importable.

:func:`compare` (pure, always available) finds the largest absolute difference between two results in the
CLI JSON schema. :func:`reference_detection3d` runs the same frames through ``perception_eval``'s own
``NuscenesObjectMatcher`` and ``Ap`` classes (after the label and range filter of METRICS.md, applied here)
and returns the same schema: per label the counts (num_gt, num_pred, num_tp, num_fp per threshold), AP, APH and
their means, per mode mAP and mAPH. The adapter follows the upstream API of late 2025; an API it does not know
fails with one line instead of a traceback. Only detection3d is adapted.

Like with like: the library's APH depends on its version. Releases up to 1.3.6 take the heading from
``Quaternion.radians`` (always >= 0: an unsigned yaw), later ones use the signed yaw (PR #266). The adapter
probes which one the installed library does (:func:`reference_aph_variant`) and compares the library's APH with
our matching variant: ``aph`` (signed) or ``aph_legacy_unsigned_yaw`` (unsigned), never one with the other.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from awml_deploy.core.errors import fail


def compare(ours: Any, theirs: Any, path: str = "") -> tuple[float, str]:
    """Largest absolute difference between two JSON results over the numbers both contain.

    Args:
        ours (Any): A result as produced by ``to_json_dict()``.
        theirs (Any): The other result, same schema.
        path (str): Prefix for the reported path. Defaults to the root.

    Returns:
        tuple[float, str]: ``(max_abs_diff, path)``; a null on one side only or a string mismatch counts as
        ``inf``; keys present on one side only are ignored.
    """
    if isinstance(ours, dict) and isinstance(theirs, dict):
        best = (0.0, path or "<root>")
        for key in ours.keys() & theirs.keys():
            found = compare(ours[key], theirs[key], f"{path}.{key}" if path else str(key))
            if found[0] > best[0]:
                best = found
        return best
    if isinstance(ours, list) and isinstance(theirs, list):
        best = (0.0 if len(ours) == len(theirs) else math.inf, path)
        for i, (a, b) in enumerate(zip(ours, theirs, strict=False)):
            found = compare(a, b, f"{path}[{i}]")
            if found[0] > best[0]:
                best = found
        return best
    numeric = (int, float)
    if isinstance(ours, numeric) and isinstance(theirs, numeric) and not isinstance(ours, bool):
        if math.isnan(ours) and math.isnan(theirs):
            return 0.0, path
        return abs(float(ours) - float(theirs)), path
    return (0.0 if ours == theirs else math.inf), path


def crosscheck(task: str, frames: Any, settings: Any, ours: dict[str, Any]) -> dict[str, Any]:
    """Runs ``perception_eval`` on the same input and compares it with ``ours``.

    Args:
        task (str): CLI task name; only ``detection3d`` is adapted.
        frames (Any): Frames as given to the evaluation.
        settings (Any): Settings as given to the evaluation.
        ours (dict[str, Any]): Our result's ``to_json_dict()``.

    Returns:
        dict[str, Any]: ``max_abs_diff`` and ``worst_path`` over every compared number (counts, AP, APH, means,
        mAP, mAPH); ``aph_variant`` ("signed" or "unsigned"), the variant both sides' APH were computed with;
        ``counts_equal``, whether every TP/FP/GT/prediction count agrees.
    """
    if task != "detection3d":
        fail(f"--crosscheck | not available for task {task!r}. Note: expected task 'detection3d'")
    theirs = reference_detection3d(frames, settings)
    variant = theirs["aph_variant"]
    mine = like_with_like(ours, frames, settings, variant)
    diff, where = compare(mine["modes"], theirs["modes"], "modes")
    counts = max(
        (
            compare(mine["modes"][m]["per_label"][lb][key], theirs["modes"][m]["per_label"][lb][key])[0]
            for m in theirs["modes"]
            for lb in theirs["modes"][m]["per_label"]
            for key in _COUNT_KEYS
        ),
        default=0.0,
    )
    return {"max_abs_diff": diff, "worst_path": where, "aph_variant": variant, "counts_equal": counts == 0.0}


_COUNT_KEYS = ("num_gt", "num_pred", "num_tp", "num_fp")


def like_with_like(ours: dict[str, Any], frames: Any, settings: Any, variant: str) -> dict[str, Any]:
    """Our result with its APH fields replaced by the variant the reference computed (a copy when unsigned)."""
    if variant == "signed":
        return ours
    from awml_deploy import metrics
    from awml_deploy.metrics.settings import parse_detection3d_settings

    parsed = parse_detection3d_settings(settings)
    legacy = metrics.evaluate_detection3d(frames, dataclasses.replace(parsed, legacy_unsigned_yaw=True)).to_json_dict()
    out = {"modes": {}}
    for mode, result in legacy["modes"].items():
        per_label = {}
        for label, row in result["per_label"].items():
            per_label[label] = dict(
                row, aph=row["aph_legacy_unsigned_yaw"], mean_aph=row["mean_aph_legacy_unsigned_yaw"]
            )
        out["modes"][mode] = dict(result, per_label=per_label, maph=result["maph_legacy_unsigned_yaw"])
    return out


_REFERENCE_NAMES = {
    "AutowareLabel": "perception_eval.common.label",
    "Label": "perception_eval.common.label",
    "DynamicObject": "perception_eval.common.object",
    "FrameID": "perception_eval.common.schema",
    "Shape": "perception_eval.common.shape",
    "ShapeType": "perception_eval.common.shape",
    "MatchingMode": "perception_eval.evaluation.matching",
    "Ap": "perception_eval.evaluation.metrics.detection.ap",
    "TPMetricsAp": "perception_eval.evaluation.metrics.detection.tp_metrics",
    "TPMetricsAph": "perception_eval.evaluation.metrics.detection.tp_metrics",
    "NuscenesObjectMatcher": "perception_eval.evaluation.result.object_result_matching",
    "Quaternion": "pyquaternion",
}


def _import_reference() -> dict[str, Any]:
    """The ``perception_eval`` names the adapter uses, imported lazily."""
    import importlib

    names = {}
    try:
        for name, module in _REFERENCE_NAMES.items():
            names[name] = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        fail(
            f"--crosscheck | perception_eval is not importable ({err}). "
            "Note: expected tier4/autoware_perception_evaluation installed",
            cause=err,
        )
    return names


def _make_object(pe: dict[str, Any], obj: dict, score: float, sem: Any) -> Any:
    (x, y, z), (length, width, height) = obj["center"], obj["size"]
    return pe["DynamicObject"](
        unix_time=0,
        frame_id=pe["FrameID"].BASE_LINK,
        position=(x, y, z),
        orientation=pe["Quaternion"](axis=[0.0, 0.0, 1.0], radians=obj["yaw"]),
        shape=pe["Shape"](shape_type=pe["ShapeType"].BOUNDING_BOX, size=(width, length, height)),
        velocity=None,
        semantic_score=score,
        semantic_label=sem,
    )


def reference_aph_variant(pe: dict[str, Any] | None = None) -> str:
    """ "signed" when the installed library tells yaw +0.6 from -0.6 in its APH heading, else "unsigned"."""
    pe = _import_reference() if pe is None else pe
    sem = pe["Label"](pe["AutowareLabel"].CAR, "car", [])
    headings = [
        _make_object(pe, {"center": (5.0, 0.0, 0.0), "size": (4.0, 2.0, 1.5), "yaw": yaw}, 1.0, sem).get_heading_bev()
        for yaw in (0.6, -0.6)
    ]
    return "unsigned" if abs(headings[0] - headings[1]) < 1e-9 else "signed"


def reference_detection3d(frames: Any, settings: Any) -> dict[str, Any]:
    """3D detection result computed by ``perception_eval`` itself (see module docstring)."""
    from types import SimpleNamespace

    from awml_deploy.metrics.ap import nan_mean
    from awml_deploy.metrics.results import json_number
    from awml_deploy.metrics.schema import frame_list
    from awml_deploy.metrics.settings import parse_detection3d_settings

    pe = _import_reference()
    s = parse_detection3d_settings(settings)
    mode_of = {
        "center_distance_3d": ("CENTERDISTANCE", "center_distance_thresholds"),
        "center_distance_bev": ("CENTERDISTANCEBEV", "center_distance_bev_thresholds"),
        "plane_distance": ("PLANEDISTANCE", "plane_distance_thresholds"),
        "iou_bev": ("IOU2D", "iou_2d_thresholds"),
        "iou_3d": ("IOU3D", "iou_3d_thresholds"),
    }
    try:
        out: dict[str, Any] = {
            "aph_variant": reference_aph_variant(pe),
            "modes": {m: {"per_label": {}} for m in s.thresholds},
        }
        for label in s.labels:
            enum = getattr(pe["AutowareLabel"], label.upper(), pe["AutowareLabel"].UNKNOWN)
            sem = pe["Label"](enum, label, [])

            def make(obj: dict, score: float, sem=sem) -> Any:
                return _make_object(pe, obj, score, sem)

            def keep(obj: dict, label=label) -> bool:
                return (
                    obj["label"] == label
                    and abs(obj["center"][0]) < s.max_abs_x
                    and abs(obj["center"][1]) < s.max_abs_y
                )

            for mode, per_label in s.thresholds.items():
                enum_mode, field = mode_of[mode]
                config = SimpleNamespace(
                    target_labels=[enum],
                    detection_config=SimpleNamespace(
                        **{f: None for _, f in mode_of.values()} | {field: [[t] for t in per_label[label]]}
                    ),
                )
                matcher = pe["NuscenesObjectMatcher"](None, config)
                pooled = {t: [] for t in per_label[label]}
                num_gt = num_pred = 0
                for frame in frame_list(frames):
                    gts = [make(g, 1.0) for g in frame["gt"] if keep(g)]
                    preds = [make(p, p["score"]) for p in frame["pred"] if keep(p)]
                    num_gt, num_pred = num_gt + len(gts), num_pred + len(preds)
                    found = matcher.match(preds, gts).get(getattr(pe["MatchingMode"], enum_mode), {}).get(enum, {})
                    for t in per_label[label]:
                        pooled[t] += found.get(t, [])
                matching_mode = getattr(pe["MatchingMode"], enum_mode)
                ap_objects = [
                    pe["Ap"](pe["TPMetricsAp"](), pooled[t], num_gt, enum, matching_mode, t) for t in per_label[label]
                ]
                aphs = [
                    pe["Ap"](pe["TPMetricsAph"](), pooled[t], num_gt, enum, matching_mode, t).ap
                    for t in per_label[label]
                ]
                aps = [a.ap for a in ap_objects]
                fps = [int(round(a.fp_list[-1])) if a.fp_list else 0 for a in ap_objects]  # the library's own counts
                tps = [int(round(a.tp_list[-1])) if a.tp_list else 0 for a in ap_objects]
                keys = [str(float(t)) for t in per_label[label]]
                out["modes"][mode]["per_label"][label] = {
                    "num_gt": num_gt,
                    "num_pred": num_pred,
                    "num_tp": dict(zip(keys, tps, strict=True)),
                    "num_fp": dict(zip(keys, fps, strict=True)),
                    "ap": {k: json_number(v) for k, v in zip(keys, aps, strict=True)},
                    "mean_ap": json_number(nan_mean(aps)),
                    "aph": {k: json_number(v) for k, v in zip(keys, aphs, strict=True)},
                    "mean_aph": json_number(nan_mean(aphs)),
                }
        for result in out["modes"].values():
            rows = result["per_label"].values()
            for key, mean in (("map", "mean_ap"), ("maph", "mean_aph")):
                result[key] = json_number(nan_mean(math.nan if r[mean] is None else r[mean] for r in rows))
    except Exception as err:  # noqa: BLE001 - an upstream API change must read as one line
        fail(
            f"--crosscheck | perception_eval API not supported by this adapter: {type(err).__name__}: {err}", cause=err
        )
    return out
