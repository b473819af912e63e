"""The bundles' `bazel run` entry: outputs default to work_dirs/<project> where the user started the command."""

from __future__ import annotations

import pathlib

from awml_deploy.cli import bundle


def test_work_dir_defaults_to_the_directory_bazel_run_was_started_from(monkeypatch, tmp_path):
    monkeypatch.setenv("BUILD_WORKING_DIRECTORY", str(tmp_path))
    argv = bundle.with_default_work_dir("yolox", ["--mode", "onnx"])
    assert argv == ["--work-dir", str(tmp_path / "work_dirs" / "yolox"), "--mode", "onnx"]


def test_work_dir_falls_back_to_the_current_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("BUILD_WORKING_DIRECTORY", raising=False)
    monkeypatch.chdir(tmp_path)
    assert bundle.with_default_work_dir("p", [])[1] == str(pathlib.Path(tmp_path) / "work_dirs" / "p")


def test_a_given_work_dir_is_kept_in_either_spelling(monkeypatch):
    monkeypatch.setenv("BUILD_WORKING_DIRECTORY", "/elsewhere")
    assert bundle.with_default_work_dir("p", ["--work-dir", "w"]) == ["--work-dir", "w"]
    assert bundle.with_default_work_dir("p", ["--work-dir=w"]) == ["--work-dir=w"]


def test_run_bundle_reports_where_outputs_go_and_returns_the_cli_exit_code(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BUILD_WORKING_DIRECTORY", str(tmp_path))
    code = bundle.run_bundle("no_such_project", [])
    err = capsys.readouterr().err
    assert code == 2
    assert f"awml-deploy no_such_project | outputs in {tmp_path / 'work_dirs' / 'no_such_project'}" in err
    assert "no_such_project" in err.splitlines()[-1] and "Traceback" not in err
