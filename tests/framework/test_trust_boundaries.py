"""Issue 17, finding 2: a data file (an info .pkl) never runs code; only the info format's types are rebuilt."""

from __future__ import annotations

import collections
import pickle

import numpy as np
import pytest

from awml_deploy.core.errors import DeployError
from awml_deploy.core.safe_pickle import load_restricted, loads_restricted
from awml_deploy.datasets import info_pkl

CLASSES = ["car", "truck", "bus", "bicycle", "pedestrian"]


class _Payload:
    """Creates ``marker`` when unpickled by plain pickle (io.open is called with mode 'w')."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _valid_entries(tmp_path):
    points = np.random.default_rng(0).uniform(-20, 20, size=(64, 4)).astype(np.float32)
    points.tofile(tmp_path / "0.bin")
    boxes = np.array([[1.0, 2.0, 0.8, 4.5, 1.9, 1.6, 0.1]])
    return [info_pkl.make_info_entry(0, "0.bin", boxes, np.array([0]))]


def _evil_info(tmp_path, marker):
    """An info file with a valid data_list whose metainfo also holds a ``__reduce__`` payload."""
    path = tmp_path / "mal_evil.pkl"
    doc = {"metainfo": {"classes": CLASSES, "note": _Payload(str(marker))}, "data_list": _valid_entries(tmp_path)}
    path.write_bytes(pickle.dumps(doc, protocol=4))
    return path


def test_finding2_info_pkl_with_reduce_payload_is_refused(tmp_path):
    marker = tmp_path / "PWNED_INFO_PKL"
    path = _evil_info(tmp_path, marker)
    with pytest.raises(DeployError) as info:
        info_pkl.load_info_pkl(str(path))
    message = str(info.value)
    assert info.value.exit_code == 2 and "\n" not in message
    assert "io.open" in message and str(path) in message
    assert not marker.exists()
    pickle.loads(path.read_bytes())["metainfo"]["note"].close()  # the same bytes do run code through plain pickle
    assert marker.exists()


def test_finding2_info_pkl_payload_through_the_cli_exits_2_without_running(tmp_path, capsys, monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("mmdet3d")
    from awml_deploy.cli.main import main

    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "PWNED_INFO_PKL"
    path = _evil_info(tmp_path, marker)
    options = ["project.num_frames=1", "verification.num_verify_samples=1", "evaluation.warmup=0"]
    argv = ["centerpoint", "--mode", "onnx", "--work-dir", str(tmp_path / "wd"), "--cfg-options", *options]
    code = main([*argv, f"runtime_io.info_file={path}"])
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line.lower()]
    assert code == 2, errors
    assert len(errors) == 1 and errors[0].startswith("awml-deploy: error: ") and "io.open" in errors[0], errors
    assert not marker.exists()


def test_restricted_unpickler_rebuilds_the_info_format_types(tmp_path):
    doc = {
        "metainfo": collections.OrderedDict(classes=("car", "bus"), version="v2"),
        "data_list": [
            {
                "boxes": np.arange(14, dtype=np.float32).reshape(2, 7),
                "labels": np.array([0, 1], dtype=np.int64),
                "mask": np.array([True, False]),
                "names": np.array(["a", "bc"]),
                "ts": np.float64(1.5),
                "n": np.int32(7),
                "lidar2sensor": np.eye(4).tolist(),
                "tags": {"x", "y"},
                "raw": b"\x00\x01",
                "none": None,
            }
        ],
    }
    for protocol in (2, 4, 5):
        path = tmp_path / f"p{protocol}.pkl"
        path.write_bytes(pickle.dumps(doc, protocol=protocol))
        back = load_restricted(path, "infos")
        entry = back["data_list"][0]
        np.testing.assert_array_equal(entry["boxes"], doc["data_list"][0]["boxes"])
        assert entry["boxes"].dtype == np.float32 and entry["labels"].dtype == np.int64
        assert entry["names"].tolist() == ["a", "bc"] and entry["mask"].tolist() == [True, False]
        assert entry["ts"] == 1.5 and entry["n"] == 7 and entry["tags"] == {"x", "y"}
        assert back["metainfo"]["classes"] == ("car", "bus")


def test_restricted_unpickler_accepts_numpy1_module_names():
    # NumPy 1.x writes numpy.core.multiarray; NumPy 2 reads it through its compatibility shim.
    data = pickle.dumps(np.arange(3, dtype=np.float32), protocol=2).replace(b"numpy._core", b"numpy.core")
    if b"numpy.core.multiarray" not in data:
        pytest.skip("this NumPy does not pickle through numpy._core")
    assert loads_restricted(data, "infos").tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        (_Payload("never"), "io.open"),
        (collections.defaultdict(list), "collections.defaultdict"),
        (np.float32, "numpy.float32"),
        (pickle.loads, "_pickle.loads"),
    ],
)
def test_restricted_unpickler_names_the_refused_global(payload, name):
    try:
        data = pickle.dumps({"data_list": [payload]}, protocol=4)
    except (pickle.PicklingError, TypeError, AttributeError):
        pytest.skip("not picklable here")
    with pytest.raises(DeployError, match=name) as info:
        loads_restricted(data, "runtime_io.info_file", "x.pkl")
    assert "x.pkl" in str(info.value) and info.value.exit_code == 2


def test_restricted_unpickler_one_line_for_garbage(tmp_path):
    for blob in (b"", b"not a pickle", pickle.dumps([1, 2])[:-3]):
        with pytest.raises(DeployError, match="not a readable pickle") as info:
            loads_restricted(blob, "infos")
        assert "\n" not in str(info.value)
    with pytest.raises(DeployError, match="cannot read the file"):
        load_restricted(tmp_path, "infos")
