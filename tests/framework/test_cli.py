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


def _distribution(site: pathlib.Path, entries: dict[str, str]) -> None:
    """An installed distribution's metadata (what `pip install` writes) with an `awml_deploy.projects` group."""
    info = site / "bundles_demo-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bundles-demo\nVersion: 1.0\n")
    lines = [f"{name} = {value}" for name, value in entries.items()]
    (info / "entry_points.txt").write_text("[awml_deploy.projects]\n" + "\n".join(lines) + "\n")


def test_list_shows_registered_projects(capsys, monkeypatch, tmp_path):
    # Only what is registered here: no checkout's projects/ namespace on the path (that would be found, see below).
    monkeypatch.setattr(sys, "path", [p for p in sys.path if not (pathlib.Path(p or ".") / "projects").is_dir()])
    _distribution(tmp_path, {"from_ep": "tiny_project", "ep_with_attr": "tiny_project:PROJECT"})
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(projects.ENV_VAR, "extra=some.module.path")
    register_project("tiny_cnn", "tiny_project")
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "from_ep" in out and "ep_with_attr" in out
    assert "extra" in out and "(not installed)" in out
    assert "tiny_cnn" in out and "tiny_project  (installed)" in out
    assert "centerpoint" not in out, "the framework names no bundle"


def test_entry_point_project_runs_and_later_registrations_win(capsys, monkeypatch, tmp_path):
    _distribution(tmp_path / "site", {"tiny_ep": "tiny_project"})
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert projects.registered_projects()["tiny_ep"] == "tiny_project"
    assert projects.load_project("tiny_ep").name == "tiny_cnn"
    monkeypatch.setenv(projects.ENV_VAR, "tiny_ep=json")
    assert projects.registered_projects()["tiny_ep"] == "json"
    register_project("tiny_ep", "tiny_project")
    assert projects.registered_projects()["tiny_ep"] == "tiny_project"


def test_unknown_project_lists_valid_ones(capsys):
    register_project("tiny_cnn", "tiny_project")
    assert main(["nope", "cfg.py"]) == 2
    err = capsys.readouterr().err
    assert "unknown project 'nope'" in err and "tiny_cnn" in err and "entry point group awml_deploy.projects" in err


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


def test_bundles_in_a_projects_namespace_are_found_without_installing(monkeypatch, tmp_path):
    checkout, regular = tmp_path / "checkout", tmp_path / "regular"
    for name, text in (("demo_bundle", "PROJECT = ProjectSpec('demo_bundle', make)\n"), ("not_a_bundle", "x = 1\n")):
        (checkout / "projects" / name).mkdir(parents=True)
        (checkout / "projects" / name / "runner.py").write_text(text)
    (regular / "projects" / "shadowed").mkdir(parents=True)  # a regular package named projects: not a namespace
    (regular / "projects" / "__init__.py").write_text("")
    (regular / "projects" / "shadowed" / "runner.py").write_text("PROJECT = ProjectSpec('shadowed', make)\n")
    monkeypatch.syspath_prepend(str(regular))
    monkeypatch.syspath_prepend(str(checkout))
    found = projects.namespace_projects()
    assert found["demo_bundle"] == "projects.demo_bundle.runner"
    assert "not_a_bundle" not in found and "shadowed" not in found
