"""CenterPoint ``project`` settings: one frozen dataclass read through SectionReader, validated by the runner's
constructor before any work (reliability review 2026-12-06, findings 1 and 7 for CenterPoint)."""

from __future__ import annotations

import dataclasses

import pytest

from awml_deploy.cli.main import main
from awml_deploy.core.errors import DeployError
from projects.centerpoint.settings import CenterPointSettings, read_settings


@pytest.mark.parametrize("value", ["no", "false", "False", 0, 1, None, "true"])
def test_finding1_trust_checkpoint_accepts_only_booleans(value) -> None:
    with pytest.raises(DeployError, match=r"project\.trust_checkpoint \| must be a bool"):
        read_settings({"trust_checkpoint": value})


@pytest.mark.parametrize(
    "key, value",
    [("single_graph", "no"), ("bev_picture", "false"), ("rot_y_axis_reference", 2), ("rot_y_axis_reference", "yes")],
)
def test_finding7_project_booleans_are_booleans(key, value) -> None:
    with pytest.raises(DeployError, match=rf"project\.{key} \| must be a bool") as err:
        read_settings({key: value})
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "raw, match",
    [
        ({"num_frames": 0}, r"project\.num_frames \| out of range"),
        ({"num_frames": "5"}, r"project\.num_frames \| must be an integer"),
        ({"cpu_threads": 1.5}, r"project\.cpu_threads \| must be an integer"),
        ({"box_tolerances": {"centre": 1.0}}, r"project\.box_tolerances\.centre \| unknown key"),
        ({"box_tolerances": {"yaw": -1}}, r"project\.box_tolerances\.yaw \| out of range"),
        ({"metrics": {"thresholds": {}}}, r"project\.metrics\.thresholds \| empty"),
        ({"metrics": {"range": 1}}, r"project\.metrics\.range \| unknown key"),
        ({"no_such_key": 1}, r"project\.no_such_key \| unknown key"),
    ],
)
def test_bad_settings_are_one_line_errors(raw, match) -> None:
    with pytest.raises(DeployError, match=match):
        read_settings(raw)


def test_settings_are_frozen_and_defaults_match_the_docs() -> None:
    settings = read_settings(None)
    assert settings == CenterPointSettings()
    assert settings.trust_checkpoint is False and settings.single_graph is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.trust_checkpoint = True  # type: ignore[misc]
    tolerances = read_settings({"box_tolerances": {"yaw": 0.01}}).box_tolerances
    assert tolerances["yaw"] == 0.01 and tolerances["center"] == 1e-3


@pytest.mark.parametrize(
    "option", ["project.trust_checkpoint='no'", "project.single_graph='no'", "project.rot_y_axis_reference=2"]
)
def test_finding1_7_cli_stops_before_any_work(option, tmp_path, capsys) -> None:
    """Exit 2 with one line from the runner's constructor; the work dir stays empty (no run dir, no artifact)."""
    work_dir = tmp_path / "wd"
    code = main(["centerpoint", "--mode", "onnx", "--work-dir", str(work_dir), "--cfg-options", option])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "must be a bool" in err[0], err
    assert not work_dir.exists() or not any(work_dir.iterdir())
