"""The native 3D detection engine (``awml_deploy._native``, C++ in ``cpp/metrics``): the CLI's fast path.

``python3 -m awml_deploy.metrics --task detection3d`` hands the FRAMES.json bytes to C++, which reads them
straight into columns (no Python object per box) and scores them with the same steps as the NumPy engine
(:mod:`awml_deploy.metrics.detection3d`): the same counts, AP, APH and means, to the bit. The reader accepts
only documents that the Python path accepts too; for anything else, or where the extension is not built,
:func:`evaluate_json` returns None and the caller runs the Python path, which words any error. This module
imports neither NumPy nor the extension until it is called.
"""

from __future__ import annotations

from typing import Any

from awml_deploy.metrics.results import Detection3DResult, DistanceBucketResult, LabelDetectionResult, ModeResult
from awml_deploy.metrics.settings import Detection3DSettings


def native_module() -> Any | None:
    """``awml_deploy._native`` when it is built and has the metrics entry points, else None."""
    try:
        from awml_deploy import _native
    except ImportError:
        return None
    return _native if hasattr(_native, "metrics_detection3d_file") else None


def _utf8(text: str) -> bool:
    """Whether ``text`` has a UTF-8 form (a lone surrogate, which JSON may hold, has none)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _settings_args(settings: Detection3DSettings) -> dict[str, Any]:
    modes = list(settings.thresholds)
    return {
        "labels": list(settings.labels),
        "modes": modes,
        "thresholds": [[list(settings.thresholds[mode][label]) for label in settings.labels] for mode in modes],
        "max_abs_x": float(settings.max_abs_x),
        "max_abs_y": float(settings.max_abs_y),
        "distance_buckets": [(float(lo), float(hi)) for lo, hi in settings.distance_buckets],
        "legacy_unsigned_yaw": bool(settings.legacy_unsigned_yaw),
    }


def _modes(scores: list[dict[str, Any]], settings: Detection3DSettings) -> dict[str, ModeResult]:
    legacy = settings.legacy_unsigned_yaw
    out = {}
    for mode, mode_scores in zip(settings.thresholds, scores, strict=True):
        per_label = {}
        for label, s in zip(settings.labels, mode_scores["per_label"], strict=True):
            num_tp = tuple(s["num_tp"])
            per_label[label] = LabelDetectionResult(
                label=label,
                thresholds=tuple(settings.thresholds[mode][label]),
                num_gt=s["num_gt"],
                num_pred=s["num_pred"],
                num_tp=num_tp,
                num_fp=tuple(s["num_pred"] - v for v in num_tp),
                ap=tuple(s["ap"]),
                mean_ap=s["mean_ap"],
                aph=tuple(s["aph"]),
                mean_aph=s["mean_aph"],
                aph_legacy_unsigned_yaw=tuple(s["aph_legacy"]) if legacy else None,
                mean_aph_legacy_unsigned_yaw=s["mean_aph_legacy"] if legacy else None,
            )
        maph_legacy = mode_scores["maph_legacy"] if legacy else None
        out[mode] = ModeResult(mode, per_label, mode_scores["map"], mode_scores["maph"], maph_legacy)
    return out


def _result(scores: dict[str, Any], settings: Detection3DSettings) -> Detection3DResult:
    buckets = tuple(
        DistanceBucketResult(lo, hi, _modes(bucket, settings))
        for (lo, hi), bucket in zip(settings.distance_buckets, scores["buckets"], strict=True)
    )
    return Detection3DResult(_modes(scores["modes"], settings), buckets)


def evaluate_json(raw: bytes, settings: Detection3DSettings) -> Detection3DResult | None:
    """Scores a FRAMES.json document natively; None when the extension is missing or the reader declines it.

    Args:
        raw (bytes): The FRAMES.json file's bytes.
        settings (Detection3DSettings): Validated settings.

    Returns:
        Detection3DResult | None: What :func:`awml_deploy.metrics.evaluate_detection3d` gives for the parsed
        document, or None (then run the Python path).
    """
    return _read_and_evaluate("metrics_detection3d_json", raw, settings)


def evaluate_file(path: str, settings: Detection3DSettings) -> Detection3DResult | None:
    """:func:`evaluate_json` of the FRAMES.json file at ``path``, read by C++ straight into its parse buffer.

    None also when the file cannot be read: the caller's Python path then reads it and reports the error.
    """
    return _read_and_evaluate("metrics_detection3d_file", path, settings) if _utf8(path) else None


def _read_and_evaluate(entry: str, source: bytes | str, settings: Detection3DSettings) -> Detection3DResult | None:
    """The extension's ``entry`` (the bytes or the file reader) on ``source``; None where it cannot or declines."""
    native = native_module()
    if native is None or not all(_utf8(label) for label in settings.labels):
        return None
    accepted, scores = getattr(native, entry)(source, **_settings_args(settings))
    return _result(scores, settings) if accepted else None


def evaluate_columns(gt: Any, pred: Any, num_frames: int, settings: Detection3DSettings) -> Detection3DResult:
    """The native engine on parsed columns (:class:`awml_deploy.metrics.frames.Boxes3D`); for tests.

    Raises:
        DeployError: The extension is not built (exit status 2).
    """
    native = native_module()
    if native is None:
        from awml_deploy.core.errors import fail

        fail("awml_deploy._native | not built. Note: build //python/awml_deploy:_native.so")
    sides = {
        f"{name}_{key}": getattr(side, key)
        for name, side in (("gt", gt), ("pred", pred))
        for key in ("frame", "label", "center", "size", "yaw")
    }
    scores = native.metrics_detection3d_columns(
        **sides, pred_score=pred.score, num_frames=num_frames, **_settings_args(settings)
    )
    return _result(scores, settings)
