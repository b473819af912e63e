"""AWML's CLI form `awml-deploy <project> <deploy_cfg> <model_cfg> [--rot-y-axis-reference] [--awml-root DIR]`:
each argument reaches its setting, and a bad one stops in one line before any work."""

from __future__ import annotations

from awml_deploy.cli.main import build_parser, main
from projects.centerpoint.model import PROJECT_DIR

DEPLOY_CFG = str(PROJECT_DIR / "configs" / "deploy_default.py")


def _run(argv, capsys):
    code = main(argv)
    return code, capsys.readouterr().err.strip().splitlines()


def test_positional_model_config_sets_project_model_config(tmp_path, capsys) -> None:
    wd = tmp_path / "wd"
    code, err = _run(["centerpoint", DEPLOY_CFG, str(tmp_path / "nope.py"), "--work-dir", str(wd)], capsys)
    assert code == 2 and len(err) == 1 and "project.model_config | model config not found" in err[0], err
    assert not wd.exists()


def test_bad_awml_root_is_one_line(tmp_path, capsys) -> None:
    code, err = _run(["centerpoint", DEPLOY_CFG, "--awml-root", str(tmp_path)], capsys)
    assert code == 2 and len(err) == 1 and "--awml-root | not an AWML checkout" in err[0], err


def test_parser_accepts_awml_shape() -> None:
    args = build_parser().parse_args(["centerpoint", "d.py", "m.py", "--rot-y-axis-reference", "--checkpoint", "c"])
    assert (args.config, args.model_config, args.rot_y_axis_reference, args.checkpoint) == ("d.py", "m.py", True, "c")
