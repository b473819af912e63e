"""CLI: help, list, unknown projects, usage errors and their exit codes."""

import os
import pathlib
import subprocess
import sys

import pytest

from awml_deploy.cli.main import main
from awml_deploy.runtime import projects, register_project


def test_help_exits_zero(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "awml-deploy" in capsys.readouterr().out


def test_list_shows_registered_projects(capsys, monkeypatch):
    monkeypatch.setenv(projects.ENV_VAR, "extra=some.module.path")
    register_project("tiny_cnn", "tiny_project")
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "centerpoint" in out and "projects.centerpoint.runner" in out
    assert "extra" in out and "(not installed)" in out
    assert "tiny_cnn" in out and "tiny_project  (installed)" in out


def test_unknown_project_lists_valid_ones(capsys):
    assert main(["nope", "cfg.py"]) == 2
    err = capsys.readouterr().err
    assert "unknown project 'nope'" in err and "centerpoint" in err and "yolox" in err


def test_project_not_installed(capsys):
    register_project("ghost", "no_such_package.runner")
    assert main(["ghost", "cfg.py"]) == 2
    assert "module no_such_package.runner is not installed" in capsys.readouterr().err


def test_project_module_without_spec(capsys):
    register_project("nospec", "json")
    assert main(["nospec", "cfg.py"]) == 2
    assert "has no PROJECT" in capsys.readouterr().err


def test_malformed_env_registry(capsys, monkeypatch):
    monkeypatch.setenv(projects.ENV_VAR, "justaname")
    assert main(["list"]) == 2
    assert "AWML_DEPLOY_PROJECTS | malformed entry" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv,needle",
    [
        ([], "the following arguments are required: project"),
        (["tiny_cnn", "c.json", "--mode", "fast"], "invalid choice: 'fast'"),
        (["tiny_cnn", "c.json", "--bogus"], "unrecognized arguments: --bogus"),
        (["list", "extra"], "`list` takes no config"),
        (["tiny_cnn"], "has no default config"),
        (["tiny_cnn", "missing.json"], "config file not found"),
    ],
)
def test_usage_errors_exit_2_one_line(argv, needle, capsys):
    register_project("tiny_cnn", "tiny_project")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1


def test_module_entry_point_exit_code():
    python_dir = str(pathlib.Path(__file__).resolve().parents[2] / "python")
    result = subprocess.run(
        [sys.executable, "-m", "awml_deploy", "unknown"],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, PYTHONPATH=python_dir),
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
