"""Issue 17, findings 3, 4 and 11: the manifest vouches only for what this run verified; writes are atomic with
normal file modes; leftovers of killed runs are cleaned and named; kill -9 at each stage, then rerun."""

from __future__ import annotations

import json
import os
import pathlib
import stat
import subprocess
import sys

import numpy as np
import onnx
import pytest
import tiny_project
from fault_driver import SIGTERM_IN_TEMP_FILE, STAGES
from onnx import helper, numpy_helper

from awml_deploy.cli.main import main
from awml_deploy.core.fsio import atomic_write_text, save_onnx_atomic, sha256_file
from awml_deploy.runtime import register_project

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]


def _setup(tmp_path: pathlib.Path, seed: int = 0) -> tuple[pathlib.Path, pathlib.Path]:
    register_project("tiny_cnn", "tiny_project")
    checkpoint = tmp_path / f"tiny{seed}.pth"
    tiny_project.save_checkpoint(str(checkpoint), seed=seed)
    config = tiny_project.config_dict(str(tmp_path / "work"), str(checkpoint))
    config["verification"]["num_verify_samples"] = 1
    config["evaluation"]["warmup"] = 0
    path = tmp_path / f"deploy{seed}.json"
    path.write_text(json.dumps(config))
    return path, tmp_path / "work"


def _manifest_matches_disk(manifest_path: pathlib.Path) -> list[dict]:
    """Asserts every file the manifest lists exists with the recorded hash; returns the file records."""
    manifest = json.loads(manifest_path.read_text())
    records = [f for artifact in manifest["artifacts"].values() for f in artifact["files"]]
    assert records, manifest_path
    for record in records:
        assert sha256_file(record["path"]) == record["sha256"], (manifest_path, record["path"])
    return records


def _onnx_names(manifest_path: pathlib.Path) -> list[str]:
    files = json.loads(manifest_path.read_text())["artifacts"]["onnx"]["files"]
    return sorted(pathlib.Path(f["path"]).name for f in files)


def _temp_files(work: pathlib.Path) -> list[pathlib.Path]:
    return [p for p in work.rglob(".*.tmp")]


def test_finding3_stale_variants_of_an_earlier_run_are_not_in_the_new_manifest(tmp_path, capsys):
    config, work = _setup(tmp_path)
    assert main(["tiny_cnn", str(config)]) == 0
    # An earlier run's extra graph (as YOLOX NMS variants / the CenterPoint single graph are) beside the model.
    stale = work / "onnx" / "tiny_cnn_nms_ort.onnx"
    stale.write_bytes((work / "onnx" / "tiny_cnn.onnx").read_bytes())
    first = json.loads((work / "manifest.json").read_text())
    assert main(["tiny_cnn", str(config)]) == 0
    assert _onnx_names(work / "manifest.json") == ["tiny_cnn.onnx"]
    assert not stale.exists()
    _manifest_matches_disk(work / "manifest.json")
    # The earlier content moved aside with the manifest that vouched for it; both still agree.
    assert (work / "previous" / "onnx" / "tiny_cnn_nms_ort.onnx").is_file()
    _manifest_matches_disk(work / "previous" / "manifest.json")
    assert json.loads((work / "previous" / "manifest.json").read_text())["run_dir"] == first["run_dir"]
    capsys.readouterr()


def test_finding3_truncated_file_of_a_failed_run_is_not_in_a_later_passing_manifest(tmp_path, capsys):
    config, work = _setup(tmp_path)
    (work / "onnx").mkdir(parents=True)
    truncated = work / "onnx" / "tiny_cnn_nms_ort.onnx"
    truncated.write_bytes(b"\x08\x07\x12\x0bpartial")  # a disk-full run's leftover; no manifest vouches for it
    assert main(["tiny_cnn", str(config)]) == 0
    assert _onnx_names(work / "manifest.json") == ["tiny_cnn.onnx"]
    assert not truncated.exists() and not (work / "previous").exists()
    report = json.loads(sorted(work.glob("runs/*/report.json"))[-1].read_text())
    assert report["housekeeping"]["deleted"] == [str(work / "onnx")]
    capsys.readouterr()


def test_finding3_onnx_replaced_after_verification_fails_the_run_naming_the_file(tmp_path, capsys, monkeypatch):
    config, work = _setup(tmp_path)
    assert main(["tiny_cnn", str(config)]) == 0
    from awml_deploy.runtime import evaluation_orchestrator

    original = evaluation_orchestrator.EvaluationOrchestrator.run
    model_file = work / "onnx" / "tiny_cnn.onnx"

    def swap_then_evaluate(self):
        model = onnx.load(str(model_file))
        weight = model.graph.initializer[0]
        weight.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(weight) * np.float32(1.002), weight.name))
        onnx.save(model, str(model_file))
        return original(self)

    monkeypatch.setattr(evaluation_orchestrator.EvaluationOrchestrator, "run", swap_then_evaluate)
    assert main(["tiny_cnn", str(config)]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] integrity.artifacts" in out and str(model_file) in out
    run_dir = sorted((work / "runs").iterdir())[-1]
    own = json.loads((run_dir / "manifest.json").read_text())
    assert own["passed"] is False
    assert not (work / "manifest.json").exists()  # this run's files replaced the vouched ones: nothing vouches now
    _manifest_matches_disk(work / "previous" / "manifest.json")


def test_finding3_failed_runs_never_replace_the_last_passing_manifest(tmp_path, capsys):
    config, work = _setup(tmp_path)
    assert main(["tiny_cnn", str(config)]) == 0
    good = (work / "manifest.json").read_bytes()
    # exit 2 before anything is written
    assert main(["tiny_cnn", str(config), "--checkpoint", str(tmp_path / "nonexistent.pth")]) == 2
    assert (work / "manifest.json").read_bytes() == good
    _manifest_matches_disk(work / "manifest.json")
    # exit 1 after export (NaN weights fail verification): the vouched files and their manifest move aside together
    import torch

    state = torch.load(tmp_path / "tiny0.pth", weights_only=True)
    state = {k: torch.full_like(v, float("nan")) for k, v in state.items()}
    torch.save(state, tmp_path / "nan.pth")
    assert main(["tiny_cnn", str(config), "--checkpoint", str(tmp_path / "nan.pth")]) == 1
    assert not (work / "manifest.json").exists()
    previous = json.loads((work / "previous" / "manifest.json").read_text())
    assert previous["passed"] is True and previous["run_dir"] == json.loads(good)["run_dir"]
    _manifest_matches_disk(work / "previous" / "manifest.json")
    run_dir = sorted((work / "runs").iterdir())[-1]
    assert json.loads((run_dir / "manifest.json").read_text())["passed"] is False
    capsys.readouterr()


def test_finding3_dot_file_artifact_names_are_hashed(tmp_path, capsys):
    config, work = _setup(tmp_path)
    raw = json.loads(config.read_text())
    raw["components"]["model"]["onnx_file"] = ".model.onnx"
    config.write_text(json.dumps(raw))
    assert main(["tiny_cnn", str(config)]) == 0
    assert _onnx_names(work / "manifest.json") == [".model.onnx"]
    capsys.readouterr()


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_finding4_atomic_writes_have_the_umask_mode(tmp_path, umask):
    old = os.umask(umask)
    try:
        text = atomic_write_text(tmp_path / "report.json", "{}")
        graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [], [])
        model = save_onnx_atomic(helper.make_model(graph), tmp_path / "m.onnx")
    finally:
        os.umask(old)
    for path in (text, model):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_finding4_save_onnx_atomic_writes_external_data_beside_the_model(tmp_path, monkeypatch):
    from awml_deploy.core import fsio

    weight = numpy_helper.from_array(np.arange(4096, dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Identity", ["w"], ["y"])],
        "g",
        [],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [4096])],
        [weight],
    )
    monkeypatch.setattr(fsio, "ONNX_EXTERNAL_DATA_LIMIT", 1024)  # as if the model were over protobuf's 2 GiB
    path = save_onnx_atomic(helper.make_model(graph), tmp_path / "big.onnx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.onnx", "big.onnx.data"]
    back = onnx.load(str(path))
    np.testing.assert_array_equal(numpy_helper.to_array(back.graph.initializer[0]), np.arange(4096))


def test_finding4_failed_onnx_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"old")
    with pytest.raises(AttributeError):
        save_onnx_atomic(object(), path)
    assert path.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]


def _driver(stage: str, config: pathlib.Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "python"), str(REPO), str(HERE)])}
    return subprocess.run(
        [sys.executable, str(HERE / "fault_driver.py"), stage, str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_finding11_kill_9_at_each_stage_then_rerun_ends_with_a_manifest_equal_to_disk(tmp_path):
    config, work = _setup(tmp_path, seed=0)
    assert _driver("none", config).returncode == 0
    for seed, stage in enumerate(STAGES, start=1):
        config, _ = _setup(tmp_path, seed=seed)  # a different model: its bytes differ from the vouched ones
        killed = _driver(stage, config)
        assert killed.returncode == -9, (stage, killed.stderr[-2000:])
        if (work / "manifest.json").exists():  # whatever the kill left, a manifest never lies about the disk
            _manifest_matches_disk(work / "manifest.json")
        rerun = _driver("none", config)
        assert rerun.returncode == 0, (stage, rerun.stderr[-2000:])
        records = _manifest_matches_disk(work / "manifest.json")
        assert {pathlib.Path(r["path"]).name for r in records} == {"tiny_cnn.onnx", f"tiny{seed}.pth"}, stage
        assert _temp_files(work) == [], stage
        report = json.loads(sorted(work.glob("runs/*/report.json"))[-1].read_text())
        unfinished = report["housekeeping"]["unfinished_runs"]
        if stage in ("onnx_temp_file", "verification", "evaluation", "report"):
            assert len(unfinished) == 1 and unfinished[0].endswith(".unfinished"), (stage, report["housekeeping"])
        if stage in ("onnx_temp_file", "report", "manifest"):
            assert report["housekeeping"]["removed_temp_files"], (stage, report["housekeeping"])
    runs = sorted(p.name for p in (work / "runs").iterdir())
    assert sum(name.endswith(".unfinished") for name in runs) == 4


def test_finding11_sigterm_stops_like_ctrl_c_without_leftovers(tmp_path):
    config, work = _setup(tmp_path, seed=0)
    assert _driver("none", config).returncode == 0
    good = (work / "manifest.json").read_bytes()
    config, _ = _setup(tmp_path, seed=1)
    stopped = _driver(SIGTERM_IN_TEMP_FILE, config)
    assert stopped.returncode == 2, stopped.stderr[-2000:]
    assert stopped.stderr.strip().splitlines()[-1] == "awml-deploy: interrupted"
    assert _temp_files(work) == []
    assert not (work / "manifest.json").exists() or (work / "manifest.json").read_bytes() == good
    if (work / "previous" / "manifest.json").exists():
        _manifest_matches_disk(work / "previous" / "manifest.json")
