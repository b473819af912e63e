"""Metric settings from a model config's T4MetricV2 evaluator section (AWML), in our Detection3D schema.

AWML's ``test_evaluator`` (``type="T4MetricV2"``) holds ``perception_evaluator_configs.evaluation_config_dict``:

* ``target_labels`` -> ``labels`` (each must be a model class);
* ``center_distance_thresholds`` / ``center_distance_bev_thresholds`` / ``plane_distance_thresholds`` /
  ``iou_2d_thresholds`` / ``iou_3d_thresholds`` -> ``thresholds.center_distance_3d`` / ``center_distance_bev`` /
  ``plane_distance`` / ``iou_bev`` / ``iou_3d`` (None = mode not evaluated; one list for every label, or one list
  per label);
* ``min_distance`` / ``max_distance`` (T4MetricV2 runs one evaluation per BEV-radius range) ->
  ``distance_buckets``; the range filter is the square ``|x|, |y| < max(max_distance)`` around them.

``min_point_numbers`` other than 0 is not applied (our metrics filter no ground truth by point count): named in
one warning line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awml_deploy.core.errors import expected
from awml_deploy.core.logging import get_logger

_LOG = get_logger("awml")
MODE_KEYS = {
    "center_distance_thresholds": "center_distance_3d",
    "center_distance_bev_thresholds": "center_distance_bev",
    "plane_distance_thresholds": "plane_distance",
    "iou_2d_thresholds": "iou_bev",
    "iou_3d_thresholds": "iou_3d",
}
EVALUATOR_KEYS = ("test_evaluator", "val_evaluator")


def find_t4metric(cfg: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    """The key path and ``evaluation_config_dict`` of the config's T4MetricV2 evaluator, or None."""
    for key in EVALUATOR_KEYS:
        evaluators = cfg.get(key)
        for i, ev in enumerate(evaluators if isinstance(evaluators, (list, tuple)) else [evaluators]):
            if isinstance(ev, Mapping) and str(ev.get("type", "")).rsplit(".", 1)[-1] == "T4MetricV2":
                path = key if evaluators is ev else f"{key}[{i}]"
                perception = ev.get("perception_evaluator_configs")
                table = perception.get("evaluation_config_dict") if isinstance(perception, Mapping) else None
                if not isinstance(table, Mapping):
                    expected(
                        f"{path}.perception_evaluator_configs.evaluation_config_dict",
                        "missing",
                        "a dict of perception_eval settings",
                        table,
                    )
                return f"{path}.perception_evaluator_configs.evaluation_config_dict", table
    return None


def _thresholds(value: Any, path: str, labels: tuple[str, ...]) -> list | dict:
    if not isinstance(value, (list, tuple)) or not value:
        expected(path, "invalid thresholds", "a list of numbers, or one list per target label", value)
    if all(isinstance(v, (list, tuple)) for v in value):
        if len(value) != len(labels):
            expected(path, "one list per target label", f"{len(labels)} lists", len(value))
        return {label: [float(t) for t in values] for label, values in zip(labels, value, strict=True)}
    return [float(t) for t in value]


def t4metric_settings(cfg: Mapping[str, Any], class_names: tuple[str, ...]) -> tuple[dict, str] | None:
    """Our metric settings from the model config's T4MetricV2 section.

    Args:
        cfg (Mapping[str, Any]): The model config (dict form).
        class_names (tuple[str, ...]): The model's classes.

    Returns:
        tuple[dict, str] | None: (settings: labels, thresholds, range_filter, distance_buckets; the key path
        they came from), or None when the config has no T4MetricV2 evaluator.
    """
    found = find_t4metric(cfg)
    if found is None:
        return None
    path, table = found
    labels = tuple(table.get("target_labels") or class_names)
    unknown = [name for name in labels if name not in class_names]
    if unknown:
        expected(
            f"{path}.target_labels", "labels the model does not predict", f"a subset of {list(class_names)}", unknown
        )
    thresholds = {
        mode: _thresholds(table[key], f"{path}.{key}", labels)
        for key, mode in MODE_KEYS.items()
        if table.get(key) is not None
    }
    if not thresholds:
        expected(path, "no matching mode", "one of " + "|".join(MODE_KEYS), sorted(table))
    settings: dict[str, Any] = {"labels": list(labels), "thresholds": thresholds}
    lo, hi = table.get("min_distance"), table.get("max_distance")
    if lo is not None or hi is not None:
        lo, hi = ([lo] if isinstance(lo, (int, float)) else lo), ([hi] if isinstance(hi, (int, float)) else hi)
        if not isinstance(lo, (list, tuple)) or not isinstance(hi, (list, tuple)) or len(lo) != len(hi) or not lo:
            expected(f"{path}.min_distance", "must pair with max_distance", "two lists of equal length", [lo, hi])
        buckets = [[float(a), float(b)] for a, b in zip(lo, hi, strict=True)]
        for a, b in buckets:
            if not 0 <= a < b:
                expected(f"{path}.min_distance", "each range needs 0 <= min < max", "min < max", [a, b])
        reach = max(b for _, b in buckets)
        settings["distance_buckets"] = buckets
        settings["range_filter"] = {"max_abs_x": reach, "max_abs_y": reach}
    if table.get("min_point_numbers") not in (None, 0, [0] * len(labels)):
        _LOG.warning("%s.min_point_numbers | %r is not applied by our metrics", path, table["min_point_numbers"])
    return settings, path
