"""Core: enums, devices, errors, artifact resolution order, atomic writes, the work-dir lock, logging."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from awml_deploy.core import Backend, DeployError, DeviceSpec, ExportMode, PrecisionPolicy, fail
from awml_deploy.core.artifacts import CONFIGURED, FALLBACK, REGISTERED, Artifact, ArtifactManager, component_file
from awml_deploy.core.fsio import atomic_write, atomic_write_json, atomic_write_text, sha256_file, work_dir_lock
from awml_deploy.core.logging import close_logging, get_logger, setup_logging

PYTHON_DIR = str(pathlib.Path(__file__).resolve().parents[2] / "python")


def test_enums_parse_case_insensitive_and_fail_with_choices():
    assert Backend.parse(" ONNX ") is Backend.ONNX
    assert ExportMode.parse("Both").exports_tensorrt and not ExportMode.ONNX.exports_tensorrt
    assert PrecisionPolicy.FP16.is_reduced_precision and not PrecisionPolicy.AUTO.is_reduced_precision
    with pytest.raises(DeployError, match=r"export.mode \| unknown value. Note: expected one of onnx\|trt\|both\|none"):
        ExportMode.parse("fast", "export.mode")


@pytest.mark.parametrize("text,kind,index", [("cpu", "cpu", None), ("cuda", "cuda", 0), ("CUDA:2", "cuda", 2)])
def test_device_parse(text, kind, index):
    device = DeviceSpec.parse(text)
    assert (device.kind, device.index) == (kind, index)
    assert DeviceSpec.parse(str(device)) == device


@pytest.mark.parametrize("text", ["gpu", "cuda:", "cpu:0", "cuda:-1", 3, None])
def test_device_parse_errors(text):
    with pytest.raises(DeployError, match="devices.x"):
        DeviceSpec.parse(text, "devices.x")


def test_fail_is_one_line_keeps_cause_and_exit_code():
    try:
        try:
            raise ValueError("inner")
        except ValueError as err:
            fail("subject | multi\nline", exit_code=1, cause=err)
    except DeployError as err:
        assert str(err) == "subject | multi line" and err.exit_code == 1
        assert isinstance(err.__cause__, ValueError)


def test_artifact_hashes_file_and_directory(tmp_path):
    (tmp_path / "a.onnx").write_bytes(b"abc")
    art = Artifact.from_path(Backend.ONNX, tmp_path / "a.onnx", "test")
    assert art.sha256 == sha256_file(tmp_path / "a.onnx") and art.size == 3
    directory = tmp_path / "d"
    directory.mkdir()
    (directory / "x.onnx").write_bytes(b"1")
    (directory / "y.onnx").write_bytes(b"22")
    dir_art = Artifact.from_path(Backend.ONNX, directory, "test")
    assert dir_art.is_dir and dir_art.size == 3 and len(dir_art.files) == 2
    digest = dir_art.sha256
    (directory / "y.onnx").write_bytes(b"23")
    assert Artifact.from_path(Backend.ONNX, directory, "test").sha256 != digest
    assert component_file(dir_art, "x.onnx") == directory / "x.onnx"
    assert component_file(art, "ignored.onnx") == tmp_path / "a.onnx"
    with pytest.raises(DeployError, match="component file missing"):
        component_file(dir_art, "z.onnx")
    with pytest.raises(DeployError, match="does not exist"):
        Artifact.from_path(Backend.ONNX, tmp_path / "nope", "test")


def test_resolution_order_registered_configured_fallback(tmp_path):
    configured, fallback, produced = (tmp_path / n for n in ("configured.onnx", "fallback.onnx", "produced.onnx"))
    for path in (configured, fallback, produced):
        path.write_bytes(path.name.encode())
    manager = ArtifactManager(
        {Backend.ONNX: str(configured)}, {Backend.ONNX: str(fallback), Backend.PYTORCH: str(fallback)}
    )
    assert manager.resolve(Backend.ONNX).source == CONFIGURED
    assert manager.resolve(Backend.PYTORCH).source == FALLBACK
    assert manager.resolve(Backend.TENSORRT) is None
    manager.register(Artifact.from_path(Backend.ONNX, produced, "export"))
    resolution = manager.resolve(Backend.ONNX)
    assert (resolution.source, resolution.artifact.path) == (REGISTERED, str(produced))
    missing = ArtifactManager({Backend.ONNX: str(tmp_path / "missing.onnx")}, {Backend.ONNX: str(fallback)})
    assert missing.resolve(Backend.ONNX).source == FALLBACK  # configured path absent → next candidate
    assert set(manager.all_resolved()) == {Backend.ONNX, Backend.PYTORCH}


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "report.json"
    atomic_write_json(target, {"a": float("nan"), "b": [1, 2]})
    assert target.read_text() == '{\n  "a": null,\n  "b": [\n    1,\n    2\n  ]\n}\n'
    atomic_write_text(target, "new")
    assert target.read_text() == "new"


def test_atomic_write_failure_keeps_old_content_and_no_temp(tmp_path):
    target = tmp_path / "model.onnx"
    target.write_text("old")

    def broken(tmp):
        tmp.write_text("partial")
        raise RuntimeError("crash mid-write")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]


def test_work_dir_lock_excludes_second_run(tmp_path):
    with work_dir_lock(tmp_path) as lock_path:
        assert lock_path.read_text() == str(os.getpid())
        with pytest.raises(DeployError, match="work dir is locked by another run") as info, work_dir_lock(tmp_path):
            pass
        assert str(os.getpid()) in str(info.value)
        code = (
            "import sys; from awml_deploy.core.fsio import work_dir_lock\n"
            "from awml_deploy.core.errors import DeployError\n"
            "try:\n    work_dir_lock(sys.argv[1]).__enter__()\nexcept DeployError:\n    sys.exit(3)\n"
        )
        env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
        other = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, check=False)
        assert other.returncode == 3
    with work_dir_lock(tmp_path):  # released
        pass


def test_logging_fresh_file_per_run_with_timestamps(tmp_path):
    log = tmp_path / "deploy.log"
    setup_logging("INFO", log)
    get_logger("test").info("first run")
    close_logging()
    setup_logging("INFO", log)
    get_logger("test").info("second run")
    get_logger("test").debug("hidden")
    close_logging()
    lines = log.read_text().splitlines()
    assert len(lines) == 2 and "second run" in lines[0] and "DEBUG" in lines[1]  # the file keeps DEBUG
    assert lines[0][:4].isdigit() and lines[0][10] == " " and "INFO" in lines[0]


def test_as_numpy_keeps_dtypes_and_widens_only_bfloat16() -> None:
    from awml_deploy.core.arrays import as_numpy

    assert as_numpy([1, 2]).dtype == np.int64
    torch = pytest.importorskip("torch")
    ints = as_numpy(torch.tensor([3, 4], dtype=torch.int64))
    assert ints.dtype == np.int64 and ints.tolist() == [3, 4]
    half = as_numpy(torch.tensor([0.5], dtype=torch.float16))
    assert half.dtype == np.float16
    bf16 = as_numpy(torch.tensor([1.5], dtype=torch.bfloat16, requires_grad=True))
    assert bf16.dtype == np.float32 and bf16.tolist() == [1.5]
