"""Issue 17, findings 5, 6, 8 and 10: every bad input is one line with exit 2 (file-system problems, deep nesting,
alias bombs, silently ignored keys, a state dict that does not fit), before work starts where it can be checked."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest
import tiny_project

from awml_deploy.cli.main import main
from awml_deploy.runtime import register_project

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]


@pytest.fixture(autouse=True)
def _registered():
    register_project("tiny_cnn", "tiny_project")


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    """A tiny-project config (as a dict) and a writer for it."""
    monkeypatch.chdir(tmp_path)
    checkpoint = tmp_path / "tiny.pth"
    tiny_project.save_checkpoint(str(checkpoint))
    config = tiny_project.config_dict(str(tmp_path / "work"), str(checkpoint))
    config["verification"]["num_verify_samples"] = 1
    config["evaluation"]["warmup"] = 0

    def write(data: dict, name: str = "deploy.json") -> pathlib.Path:
        path = tmp_path / name
        path.write_text(json.dumps(data))
        return path

    return config, write


def _one_line(argv: list[str], capsys, code: int = 2) -> str:
    result = main(argv)
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("awml-deploy: error:")]
    assert result == code, captured.err[-2000:]
    assert "Traceback" not in captured.err + captured.out
    assert len(errors) == 1, captured.err[-2000:]
    return errors[0]


def _nothing_written(work: pathlib.Path) -> None:
    assert not (work / "runs").exists() or not any((work / "runs").iterdir())


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("work_dir", "README.md", "export.work_dir | is not a directory"),
        ("work_dir", "/proc/awml_wd", "export.work_dir | "),
        ("logging_file", "deploy\x00.log", "logging.file | contains a NUL character"),
        ("logging_file", "d" * 300 + ".log", "logging.file | file name too long"),
        ("logging_file", "report.json", "logging.file | would replace a file the run writes"),
        ("logging_file", "report.md", "logging.file | would replace a file the run writes"),
    ],
)
def test_finding5_file_system_inputs_are_one_line_before_work(tiny, capsys, tmp_path, setting, value, message):
    config, write = tiny
    (tmp_path / "README.md").write_text("a file, not a directory")
    if setting == "work_dir":
        config["export"]["work_dir"] = value
    else:
        config["logging"]["file"] = value
    line = _one_line(["tiny_cnn", str(write(config))], capsys)
    assert message in line
    _nothing_written(tmp_path / "work")


def _in_namespace(script: str, tmp_path: pathlib.Path) -> subprocess.CompletedProcess:
    """Runs ``script`` (bash) in a private mount namespace, where it may mount a small tmpfs."""
    if shutil.which("unshare") is None:
        pytest.skip("needs util-linux unshare (a private mount namespace for a small tmpfs)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "python"), str(REPO), str(HERE)])}
    return subprocess.run(
        ["unshare", "-rm", "bash", "-c", script],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("read_only_existing", "export.work_dir | "),
        ("read_only_new", "export.work_dir | "),
        ("runs_read_only", "/runs | Read-only file system"),
        ("disk_nearly_full", "export.work_dir | not enough free disk space"),
        ("disk_full_before_report", "| No space left on device"),
    ],
)
def test_finding5_read_only_and_full_file_systems_are_one_line(tiny, tmp_path, fault, message):
    config, write = tiny
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    work = mnt / ("new_wd" if fault == "read_only_new" else "wd")
    config["export"]["work_dir"] = str(work)
    path = write(config)
    run = f"{sys.executable} {HERE / 'fault_driver.py'} {'disk_full_before_report' if 'report' in fault else 'none'} {path}"
    setup = {
        "read_only_existing": f"mkdir {work} && mount -o remount,ro {mnt}",
        "read_only_new": f"mount -o remount,ro {mnt}",
        "runs_read_only": f"mkdir -p {work}/runs && mount --bind {work}/runs {work}/runs && "
        f"mount -o remount,bind,ro {work}/runs",
        "disk_nearly_full": f"head -c 7M /dev/zero > {mnt}/filler",
        "disk_full_before_report": "true",
    }[fault]
    script = f"set -e; mount -t tmpfs -o size=8m tmpfs {mnt}; {setup}; set +e; {run}; echo rc=$?"
    done = _in_namespace(script, tmp_path)
    errors = [line for line in done.stderr.splitlines() if line.startswith("awml-deploy: error:")]
    assert done.stdout.strip().splitlines()[-1] == "rc=2", (done.stdout[-500:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr and len(errors) == 1, done.stderr[-2000:]
    assert message in errors[0], errors


def test_finding5_deeply_nested_json_and_yaml_are_one_line(tmp_path, capsys):
    deep_json = tmp_path / "deep.json"
    deep_json.write_text('{"project": ' + "[" * 100_000 + "]" * 100_000 + "}")
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text("project: " + "[" * 20_000 + "]" * 20_000 + "\n")
    for path in (deep_json, deep_yaml):
        line = _one_line(["tiny_cnn", str(path)], capsys)
        assert str(path) in line and "nested" in line, line
    deep = "[" * 5000 + "]" * 5000
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    line = _one_line(["tiny_cnn", str(empty), "--cfg-options", f"project.nms={deep}"], capsys)
    assert "--cfg-options project.nms | not a valid literal" in line


def test_finding6_yaml_alias_bomb_is_refused_in_a_second(tmp_path, capsys):
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("anchors:\n" + "\n".join("  " + line for line in lines) + "\nproject:\n  x: *a9\n")
    assert bomb.stat().st_size < 2000
    started = time.monotonic()
    line = _one_line(["tiny_cnn", str(bomb)], capsys)
    assert time.monotonic() - started < 5
    assert "aliases expand to too many values" in line
    recursive = tmp_path / "recursive.yaml"
    recursive.write_text("project: &p\n  self: *p\n")
    assert "recursive structure" in _one_line(["tiny_cnn", str(recursive)], capsys)


def test_finding6_unknown_top_level_key_is_refused_before_expansion(tmp_path, capsys, monkeypatch):
    from awml_deploy.config import deploy_config

    def never(raw):  # the unknown key must stop the load before the mapping is validated or frozen
        raise AssertionError("parse_config reached")

    monkeypatch.setattr("awml_deploy.config.loader.parse_config", never)
    del deploy_config
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 4)]  # 10**4 values
    config = tmp_path / "anchors.yaml"
    config.write_text("anchors:\n" + "\n".join("  " + line for line in lines) + "\n")
    line = _one_line(["tiny_cnn", str(config)], capsys)
    assert "anchors | unknown key" in line and "checkpoint_path|components|" in line, line


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("export.onnx_path", "missing.onnx", "export.onnx_path | path does not exist"),
        ("evaluation.backends.onnx.artifact", "missing_dir", "evaluation.backends.onnx.artifact | path does not"),
    ],
)
def test_finding8_nonexistent_paths_are_errors_not_ignored(tiny, capsys, tmp_path, key, value, message):
    config, write = tiny
    config["export"]["mode"] = "none"  # nothing exported: the configured path is what the run would use
    line = _one_line(["tiny_cnn", str(write(config)), "--cfg-options", f"{key}='{tmp_path / value}'"], capsys)
    assert message in line
    _nothing_written(tmp_path / "work")


@pytest.mark.parametrize("key", ["export.onnx_path", "evaluation.backends.onnx.artifact"])
def test_finding8_nonexistent_path_this_runs_export_replaces_is_a_one_line_notice(tiny, capsys, tmp_path, key):
    config, write = tiny  # mode onnx: this run's export is what gets verified and evaluated
    assert main(["tiny_cnn", str(write(config)), "--cfg-options", f"{key}='{tmp_path / 'missing'}'"]) == 0
    captured = capsys.readouterr()
    notices = [line for line in captured.err.splitlines() if f"{key} | " in line]
    assert len(notices) == 1 and "does not exist and is not used: this run exports" in notices[0], captured.err


def test_finding8_artifact_naming_this_runs_export_folder_is_accepted(tiny, capsys, tmp_path):
    config, write = tiny
    option = f"evaluation.backends.onnx.artifact='{tmp_path / 'work' / 'onnx'}'"
    assert main(["tiny_cnn", str(write(config)), "--cfg-options", option]) == 0
    capsys.readouterr()


def test_finding8_unknown_per_output_name_is_an_error(tiny, capsys):
    config, write = tiny
    config["verification"]["per_output"] = {"no_such_output": {"atol": 1.0, "rtol": 1.0}}
    line = _one_line(["tiny_cnn", str(write(config))], capsys)
    assert "verification.per_output.no_such_output | names no output of the model" in line
    assert "features|logits" in line


def test_finding10_state_dict_that_does_not_fit_is_exit_2(tiny, capsys, tmp_path):
    import torch

    config, write = tiny
    state = torch.load(tmp_path / "tiny.pth", weights_only=True)
    state["conv1.weight"] = torch.zeros(4, 3, 3, 3)
    torch.save(state, tmp_path / "wrong_shape.pth")
    line = _one_line(["tiny_cnn", str(write(config)), "--checkpoint", str(tmp_path / "wrong_shape.pth")], capsys)
    assert "the state dict does not fit the model" in line and "size mismatch" in line
