"""Autoware parameter files hold the evaluated thresholds; a model that does not fit the targeted Autoware node
(encoder_in_feature_size, 32 encoder channels) stops in one line before any work."""

from __future__ import annotations

import dataclasses

import pytest

from awml_deploy.cli.main import main
from awml_deploy.core.errors import DeployError
from projects.centerpoint.autoware import check_autoware_target, post_process_params
from projects.centerpoint.model import DEFAULT_MODEL_CONFIG, geometry_from_config, load_model_config

pytest.importorskip("mmengine")


@pytest.fixture(scope="module")
def geometry():
    return geometry_from_config(load_model_config(DEFAULT_MODEL_CONFIG))


def test_post_process_thresholds_are_the_evaluated_ones(geometry) -> None:
    tuned = dataclasses.replace(geometry, score_threshold=0.27, test_cfg={**geometry.test_cfg, "min_radius": [4.0]})
    params = post_process_params(tuned, 1)
    assert params["post_process_params"]["score_threshold"] == 0.27  # not Autoware's 0.35 default
    assert params["post_process_params"]["circle_nms_dist_threshold"] == 2.0  # sqrt of mmdet3d's squared radius
    assert params["densification_params"]["num_past_frames"] == 1


@pytest.mark.parametrize(
    "changes, target, match",
    [
        ({"encoder_features": 10}, "legacy", r"Autoware \(legacy\) takes encoder_in_feature_size \[9\]"),
        ({"encoder_features": 12}, "universe", r"encoder_in_feature_size \[9, 10, 11\]"),
        ({"encoder_channels": 64}, "universe", r"encoder output has 32 channels"),
        ({"point_features": 5, "encoder_features": 9}, "legacy", r"point_feature_size \[4\]"),
    ],
)
def test_model_that_does_not_fit_the_target_fails(geometry, changes, target, match) -> None:
    with pytest.raises(DeployError, match=match):
        check_autoware_target(dataclasses.replace(geometry, **changes), target)
    check_autoware_target(dataclasses.replace(geometry, **changes), "none")


def test_cli_stops_before_work_for_a_legacy_target(tmp_path, capsys) -> None:
    work_dir = tmp_path / "wd"
    code = main(
        [
            "centerpoint",
            "--mode",
            "onnx",
            "--work-dir",
            str(work_dir),
            "--cfg-options",
            "project.autoware_target='legacy'",
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "encoder_in_feature_size [9]" in err[0]  # the tiny model has 10
    assert not work_dir.exists() or not any(work_dir.iterdir())
