"""Metric settings from a model config's T4MetricV2 section; the deploy config's project.metrics overrides them."""

from __future__ import annotations

import copy

import pytest

from awml_deploy.awml.t4metric import t4metric_settings
from awml_deploy.core.errors import DeployError
from projects.centerpoint.runner import DEFAULT_METRICS, metric_settings

CLASSES = ("car", "truck", "bus", "bicycle", "pedestrian")
TABLE = {
    "evaluation_task": "detection",
    "target_labels": list(CLASSES),
    "center_distance_bev_thresholds": [0.5, 1.0, 2.0, 4.0],
    "plane_distance_thresholds": [[2.0, 4.0], [2.0, 4.0], [3.0, 5.0], [1.0, 2.0], [1.0, 2.0]],
    "iou_2d_thresholds": None,
    "min_distance": [0.0, 50.0, 90.0, 0.0],
    "max_distance": [50.0, 90.0, 121.0, 121.0],
    "min_point_numbers": 0,
}


def cfg(table=None, key="test_evaluator") -> dict:
    table = TABLE if table is None else table
    return {key: {"type": "T4MetricV2", "perception_evaluator_configs": {"evaluation_config_dict": table}}}


def test_t4metricv2_section_becomes_our_settings() -> None:
    settings, path = t4metric_settings(cfg(), CLASSES)
    assert path == "test_evaluator.perception_evaluator_configs.evaluation_config_dict"
    assert settings["thresholds"]["center_distance_bev"] == [0.5, 1.0, 2.0, 4.0]
    assert settings["thresholds"]["plane_distance"]["bus"] == [3.0, 5.0]  # one list per target label
    assert "iou_bev" not in settings["thresholds"]
    assert settings["distance_buckets"] == [[0.0, 50.0], [50.0, 90.0], [90.0, 121.0], [0.0, 121.0]]
    assert settings["range_filter"] == {"max_abs_x": 121.0, "max_abs_y": 121.0}
    assert t4metric_settings(cfg(key="val_evaluator"), CLASSES)[1].startswith("val_evaluator.")
    assert t4metric_settings({"test_evaluator": {"type": "T4Metric"}}, CLASSES) is None


def test_deploy_config_overrides_and_source_sentence() -> None:
    settings, source = metric_settings({"distance_buckets": [[0.0, 30.0]]}, cfg(), CLASSES, "m.py")
    assert settings["distance_buckets"] == [[0.0, 30.0]]
    assert settings["thresholds"]["center_distance_bev"]["car"] == [0.5, 1.0, 2.0, 4.0]
    assert (
        source == "m.py: test_evaluator.perception_evaluator_configs.evaluation_config_dict; project.metrics "
        "overrides ['distance_buckets']"
    )
    default, source = metric_settings(None, {}, CLASSES, "m.py")
    assert default["distance_buckets"] == DEFAULT_METRICS["distance_buckets"] and "synthetic demo" in source


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda t: t.update(target_labels=["car", "tram"]), r"target_labels \| labels the model does not predict"),
        (lambda t: t.update(plane_distance_thresholds=[[2.0], [2.0]]), r"one list per target label"),
        (lambda t: t.update(max_distance=[50.0]), r"min_distance \| must pair with max_distance"),
        (lambda t: t.update(min_distance=[60.0, 50.0, 90.0, 0.0]), r"each range needs 0 <= min < max"),
        (lambda t: t.update(center_distance_bev_thresholds=None, plane_distance_thresholds=None), r"no matching mode"),
    ],
)
def test_bad_sections_are_one_line_errors(edit, match) -> None:
    table = copy.deepcopy(TABLE)
    edit(table)
    with pytest.raises(DeployError, match=match):
        t4metric_settings(cfg(table), CLASSES)


def test_bad_override_fails_before_work() -> None:
    with pytest.raises(DeployError, match=r"project\.metrics \| "):
        metric_settings({"thresholds": {"volume_iou": [0.5]}}, cfg(), CLASSES, "m.py")
