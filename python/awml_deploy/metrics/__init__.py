"""Exact, vectorised detection and classification metrics with autoware_perception_evaluation semantics.

The rules are those of ``docs/METRICS.md`` (greedy-by-score one-to-one matching per frame and label, strict
thresholds, 101-point interpolated AP with the 0.1 floor, APH with signed yaw, NaN rules, 2D IoU AP,
classification counts). Importing this package needs only NumPy; nothing else is needed to evaluate
(shapely is used only by the per-object oracle in :mod:`awml_deploy.metrics.naive`).

Python API::

    from awml_deploy import metrics

    result = metrics.evaluate_detection3d(frames, settings)   # -> Detection3DResult
    result.modes["center_distance_bev"].per_label["car"].ap    # tuple aligned with .thresholds
    result.modes["iou_3d"].map, result.modes["iou_3d"].maph
    result.to_json_dict()                                      # exactly the CLI output schema

    metrics.evaluate_detection2d(frames, settings)             # -> Detection2DResult (mode "iou_2d")
    metrics.evaluate_classification(frames, settings)          # -> ClassificationResult
    metrics.evaluate_segmentation(frames, settings)            # -> SegmentationResult (IoU, mIoU, confusion)

``frames`` is ``{"frames": [...]}`` or a list of frames, each a FRAMES.json dict or a :class:`Frame3D` /
:class:`Frame2D` / :class:`ClassificationFrame` of :class:`Object3D` / :class:`Object2D` / :class:`ClassObject`.
For 3D, a list of :class:`ArrayFrame3D` (per-frame NumPy arrays, as a detector outputs them) skips the
per-object parsing.
``settings`` is a SETTINGS.json dict or a :class:`Detection3DSettings` / :class:`Detection2DSettings` /
:class:`ClassificationSettings`. 3D settings add two options to the METRICS.md contract:
``distance_buckets`` (e.g. :data:`T4_DISTANCE_BUCKETS`, BEV radius ``lo <= r < hi`` applied to ground truth
and predictions after the range filter; results in ``Detection3DResult.distance_buckets``) and
``legacy_unsigned_yaw`` (adds ``aph_legacy_unsigned_yaw``). Malformed input raises
:class:`awml_deploy.core.errors.DeployError` with one line naming the offending path.

Conventions where METRICS.md leaves a choice: ``range_filter`` may be omitted (then |x| < 100 and |y| < 100);
every label needs a non-empty, duplicate-free threshold list in every mode given, IoU thresholds in [0, 1];
the pooled AP ranking is by score, highest first, with ties kept in input order (frame by frame) -- the
reference's ``np.argsort(scores)[::-1]`` visits tied items in reverse, which can change AP when a TP and
an FP share a score; classification uuids must be unique per frame and side; ``frame_index`` must be unique
in the frame list (a repeat is one-line error: it means a frame given twice, whose ground truth would count
twice); scores may be any finite number, negative ones included (they only rank the predictions, and logits
or log-probabilities are negative).

Command line (see ``python3 -m awml_deploy.metrics --help``)::

    PYTHONPATH=python python3 -m awml_deploy.metrics --task detection3d --frames F.json --settings S.json \\
        --output R.json [--crosscheck]
"""

from importlib import import_module

# What ``from awml_deploy.metrics import X`` gives, and the submodule X lives in: imported on first use
# (PEP 562), so that the CLI's native path (``python3 -m awml_deploy.metrics``) starts without NumPy.
_EXPORTS = {
    "evaluate_classification": "classification",
    "evaluate_detection2d": "detection2d",
    "evaluate_detection3d": "detection3d",
    **dict.fromkeys(
        ("ArrayFrame3D", "ClassificationFrame", "ClassObject", "Frame2D", "Frame3D", "Object2D", "Object3D"),
        "frames",
    ),
    **dict.fromkeys(
        (
            "ClassificationResult",
            "ClassificationScores",
            "Detection2DResult",
            "Detection3DResult",
            "DistanceBucketResult",
            "LabelClassificationResult",
            "LabelDetectionResult",
            "ModeResult",
        ),
        "results",
    ),
    **dict.fromkeys(
        ("LabelSegmentationResult", "SegmentationResult", "SegmentationSettings", "evaluate_segmentation"),
        "segmentation",
    ),
    **dict.fromkeys(
        (
            "MODES_2D",
            "MODES_3D",
            "T4_DISTANCE_BUCKETS",
            "ClassificationSettings",
            "Detection2DSettings",
            "Detection3DSettings",
        ),
        "settings",
    ),
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


TASKS = ("detection3d", "detection2d", "classification2d", "segmentation")


def evaluate(task: str, frames, settings):
    """Runs the evaluation named by a CLI task name (``detection3d``, ``detection2d``, ``classification2d``, ``segmentation``).

    Args:
        task (str): One of :data:`TASKS`.
        frames: Frames as accepted by the task's ``evaluate_*`` function.
        settings: Settings as accepted by the task's ``evaluate_*`` function.

    Returns:
        Detection3DResult | Detection2DResult | ClassificationResult: The task's result.
    """
    from awml_deploy.core.errors import expected

    runners = {
        "detection3d": "evaluate_detection3d",
        "detection2d": "evaluate_detection2d",
        "classification2d": "evaluate_classification",
        "segmentation": "evaluate_segmentation",
    }
    if task not in runners:
        expected("task", "unknown task", f"one of {', '.join(TASKS)}", task)
    return __getattr__(runners[task])(frames, settings)


__all__ = [
    "ArrayFrame3D",
    "MODES_2D",
    "MODES_3D",
    "T4_DISTANCE_BUCKETS",
    "TASKS",
    "ClassObject",
    "ClassificationFrame",
    "ClassificationResult",
    "ClassificationScores",
    "ClassificationSettings",
    "Detection2DResult",
    "Detection2DSettings",
    "Detection3DResult",
    "Detection3DSettings",
    "LabelSegmentationResult",
    "SegmentationResult",
    "SegmentationSettings",
    "DistanceBucketResult",
    "Frame2D",
    "Frame3D",
    "LabelClassificationResult",
    "LabelDetectionResult",
    "ModeResult",
    "Object2D",
    "Object3D",
    "evaluate",
    "evaluate_classification",
    "evaluate_detection2d",
    "evaluate_detection3d",
    "evaluate_segmentation",
]
