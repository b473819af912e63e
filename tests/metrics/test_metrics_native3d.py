"""The native 3D engine and FRAMES.json reader (awml_deploy._native, cpp/metrics) against the NumPy engine.

Expected values are the NumPy engine's (itself checked against perception_eval and the per-object oracle):
every count, AP, APH and mean must be equal to the bit, on seeded sets that reach each of the NumPy engine's
matching paths (sparse pairs, padded tables, streamed dense frames), ties, every mode, distance buckets,
legacy yaw, and the edge cases named below. The reader must give the Python parser's columns to the bit and
decline every document the Python path would refuse.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import awml_deploy
from awml_deploy.metrics import native3d, synthetic
from awml_deploy.metrics.__main__ import run as cli_run
from awml_deploy.metrics.detection3d import evaluate_boxes3d, evaluate_detection3d
from awml_deploy.metrics.schema import parse_boxes_3d
from awml_deploy.metrics.settings import T4_DISTANCE_BUCKETS, parse_detection3d_settings

NATIVE = native3d.native_module()
# Under Bazel the extension is always built next to the package: a missing one is a failure, not a skip.
if NATIVE is None and "TEST_SRCDIR" in os.environ:
    raise RuntimeError("awml_deploy._native with the metrics entry points is missing from the test's runfiles")
pytestmark = pytest.mark.skipif(NATIVE is None, reason="awml_deploy._native is not built (plain pytest)")
# The reader needs RapidJSON at build time (tools/bootstrap.sh installs rapidjson-dev); without it every document
# goes the NumPy way and only the engine on columns can be compared.
READER = NATIVE is not None and NATIVE.metrics_read_frames3d_json(b"[]", [])[0]
needs_reader = pytest.mark.skipif(not READER, reason="the extension was built without RapidJSON")

LABELS = list(synthetic.DEFAULT_LABELS)
# Not resolved: under Bazel the package's files are links into the source tree, and the extension is only in
# the runfiles' copy of the package.
PYTHON_DIR = str(Path(awml_deploy.__file__).absolute().parent.parent)


def settings_for(**extra) -> dict:
    doc = synthetic.bench_settings(LABELS)
    doc.update(extra)
    return doc


def both(frames: list[dict], settings_doc: dict) -> tuple[dict, dict]:
    settings = parse_detection3d_settings(settings_doc)
    gt, pred, n = parse_boxes_3d(frames, settings.labels)
    expected = evaluate_boxes3d(gt, pred, n, settings).to_json_dict()
    return native3d.evaluate_columns(gt, pred, n, settings).to_json_dict(), expected


def edge_frames() -> list[dict]:
    """Named edge cases: yaw beyond +-pi, zero sizes, identical predictions, a label with predictions only,
    empty frames, touching and identical footprints, tied scores."""
    car = {"label": "car", "center": [10.0, 5.0, 0.0], "size": [4.0, 2.0, 1.5], "yaw": 0.3}
    return [
        {"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": []},
        {
            "frame_index": 1,
            "timestamp_us": 1,
            "gt": [car, {**car, "center": [14.0, 5.0, 0.0], "yaw": 0.0}],
            "pred": [
                {**car, "score": 0.5},
                {**car, "score": 0.5},  # identical box, tied score
                {**car, "center": [14.0, 5.0, 0.0], "yaw": 0.0, "score": 0.5},  # identical to the second GT
                {**car, "yaw": 7.5, "score": 0.4},  # wrapped yaw
                {**car, "yaw": -9.0, "score": 0.3},
                {**car, "center": [18.0, 5.0, 0.0], "yaw": 0.0, "score": 0.2},  # touches the second GT's edge
            ],
        },
        {
            "frame_index": 2,
            "timestamp_us": 2,
            "gt": [{"label": "pedestrian", "center": [1.0, 1.0, 0.0], "size": [0.0, 0.0, 0.0], "yaw": 0.0}],
            "pred": [
                {"label": "pedestrian", "center": [1.0, 1.0, 0.0], "size": [0.0, 0.0, 0.0], "yaw": 0.0, "score": 0.9},
                {"label": "bus", "center": [50.0, 1.0, 0.0], "size": [11.0, 2.7, 3.2], "yaw": 3.0, "score": 0.7},
            ],
        },
        {"frame_index": 3, "timestamp_us": 3, "gt": [car], "pred": []},
        {  # centres exactly 2 m apart: a threshold of 2 m must fail (strict), 4 m pass
            "frame_index": 4,
            "timestamp_us": 4,
            "gt": [{**car, "center": [30.0, 0.0, 0.0]}],
            "pred": [{**car, "center": [32.0, 0.0, 0.0], "score": 0.6}],
        },
    ]


CASES = {
    "spread": (synthetic.frames_3d(60, objects=20, seed=1), settings_for()),
    "spread_ties": (synthetic.frames_3d(60, objects=20, seed=2, score_decimals=1), settings_for()),
    "dense_frames": (synthetic.frames_3d(3, objects=300, seed=3, extent=15.0, score_decimals=1), settings_for()),
    "crowded": (synthetic.frames_3d(8, objects=40, seed=4, extent=3.0), settings_for()),
    "buckets_legacy_range": (
        synthetic.frames_3d(40, objects=25, seed=5),
        settings_for(
            distance_buckets=[list(b) for b in T4_DISTANCE_BUCKETS],
            legacy_unsigned_yaw=True,
            range_filter={"max_abs_x": 60.0, "max_abs_y": 80.0},
        ),
    ),
    "edges": (edge_frames(), settings_for(legacy_unsigned_yaw=True)),
    "mode_subset_uneven_thresholds": (
        synthetic.frames_3d(30, objects=15, seed=6),
        {
            "labels": ["car", "pedestrian", "bus"],
            "thresholds": {
                "iou_3d": {"car": [0.0, 0.7, 1.0], "pedestrian": 0.3, "bus": [0.5, 0.1]},
                "plane_distance": {"car": [0.0, 3.0], "pedestrian": [1.0], "bus": [8.0, 2.0, 0.5]},
            },
        },
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_native_engine_equals_numpy_engine(name):
    frames, settings_doc = CASES[name]
    got, expected = both(frames, settings_doc)
    assert got == expected
    # The comparison has something to compare: true positives in every case, at the loosest threshold.
    counts = [sum(r["num_tp"].values()) for m in expected["modes"].values() for r in m["per_label"].values()]
    assert sum(counts) > 0


def test_native_engine_detects_a_changed_input():
    """The equality above can fail: moving one prediction changes the native result as it changes NumPy's."""
    frames, settings_doc = CASES["spread"]
    moved = json.loads(json.dumps(frames))
    target = next(p for f in moved for p in f["pred"] if p["label"] == "car")
    target["center"][0] += 0.3
    got_moved, expected_moved = both(moved, settings_doc)
    got, _ = both(frames, settings_doc)
    assert got_moved == expected_moved and got_moved != got


@needs_reader
@pytest.mark.parametrize("name", sorted(CASES))
def test_json_path_equals_python_path(name):
    frames, settings_doc = CASES[name]
    settings = parse_detection3d_settings(settings_doc)
    raw = json.dumps({"frames": frames, "other": {"nested": [1, {"x": None}]}}).encode()
    got = native3d.evaluate_json(raw, settings)
    assert got is not None, "the reader declined a well-formed document"
    assert got.to_json_dict() == evaluate_detection3d(json.loads(raw), settings).to_json_dict()


def columns_of(raw: bytes, labels: list[str]):
    accepted, out = NATIVE.metrics_read_frames3d_json(raw, labels)
    assert accepted, out
    return out


@needs_reader
@pytest.mark.parametrize(
    "text",
    [
        json.dumps(synthetic.frames_3d(20, objects=10, seed=7)),
        # integer tokens (an integer -0 is +0.0), exponents, a signed zero fraction, escapes, spacing, extra keys
        '{"x": [true, null], "frames": [{"pred": [{"score": 1, "yaw": -0.0, "size": [1E0, 2e+0, 0],'
        ' "center": [-0, 12345678901234567890, -1.5e-3], "label": "c\\u0061r", "extra": {"a": [1]}}],'
        ' "gt": [ { "label" : "ped\\"x", "center":[1,2,3], "size":[0.5,0.5,1.7], "yaw":3, "score":"n/a"} ],'
        ' "timestamp_us": 123456789012345678901234567890, "frame_index": -0}]}',
        '[{"frame_index": 7, "timestamp_us": 0, "gt": [], "pred": []}]',
    ],
)
def test_reader_gives_the_python_columns_to_the_bit(text):
    raw = text.encode()
    got = columns_of(raw, LABELS)
    gt, pred, n = parse_boxes_3d(json.loads(raw), LABELS)
    assert got["num_frames"] == n
    for name, side in (("gt", gt), ("pred", pred)):
        for key in ("frame", "label", "center", "size", "yaw") + (("score",) if name == "pred" else ()):
            a, b = np.asarray(got[name][key]), getattr(side, key)
            assert a.shape == b.shape and np.array_equal(a, b), (name, key)
            if a.dtype.kind == "f":
                assert np.array_equal(np.signbit(a), np.signbit(b)), (name, key)


@needs_reader
def test_reader_columns_from_a_hand_written_document():
    raw = (
        b'{"frames": [{"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": [{"label": "c\\u0061r",'
        b' "center": [-0, -0.0, 2.5e1], "size": [1, 2, 3], "yaw": -0.0, "score": 1}]}]}'
    )
    got = columns_of(raw, ["truck", "car"])
    pred = got["pred"]
    assert pred["label"].tolist() == [1] and pred["frame"].tolist() == [0]
    assert pred["center"].tolist() == [[0.0, 0.0, 25.0]]
    assert [math.copysign(1.0, v) for v in pred["center"][0]] == [1.0, -1.0, 1.0]
    assert math.copysign(1.0, pred["yaw"][0]) == -1.0 and pred["score"].tolist() == [1.0]


GOOD_PRED = '{"label": "car", "center": [1, 2, 3], "size": [4, 2, 1.5], "yaw": 0.1, "score": 0.5}'


def frame_text(pred: str = "", frame_index: str = "0") -> str:
    return '{"frame_index": ' + frame_index + ', "timestamp_us": 0, "gt": [], "pred": [' + pred + "]}"


def frames_text(*frames: str) -> str:
    return '{"frames": [' + ", ".join(frames) + "]}"


@pytest.mark.parametrize(
    "text",
    [
        frames_text(frame_text(GOOD_PRED.replace("0.1", "NaN"))),  # json accepts NaN; the schema refuses it
        frames_text(frame_text(GOOD_PRED.replace("[4, 2, 1.5]", "[4, -2, 1.5]"))),
        frames_text(frame_text(GOOD_PRED.replace("[4, 2, 1.5]", "[4, 2]"))),
        frames_text(frame_text(GOOD_PRED.replace('"score": 0.5', '"score": true'))),
        frames_text(frame_text(GOOD_PRED.replace('"score": 0.5', '"yaw": 0.2'))),  # no score (and two yaws)
        frames_text(frame_text(GOOD_PRED.replace("0.1", "1e400"))),
        frames_text(frame_text(), frame_text()),  # frame_index repeats
        frames_text(frame_text(frame_index="false")),
        frames_text(frame_text(frame_index="0.0")),
        '{"frames": {}}',
        '{"frame": []}',
        '\ufeff{"frames": []}',
        '{"frames": [' + frame_text() + "],}",
    ],
)
def test_reader_declines_what_python_refuses_and_the_cli_words_it(tmp_path, text):
    raw = text.encode()
    accepted, why = NATIVE.metrics_read_frames3d_json(raw, LABELS)
    assert not accepted and why
    assert native3d.evaluate_json(raw, parse_detection3d_settings(settings_for())) is None
    frames_path, settings_path = tmp_path / "f.json", tmp_path / "s.json"
    frames_path.write_bytes(raw)
    settings_path.write_text(json.dumps(settings_for()))
    argv = ["--task", "detection3d", "--frames", str(frames_path), "--settings", str(settings_path)]
    assert cli_run([*argv, "--output", str(tmp_path / "r.json")]) == 2
    assert not (tmp_path / "r.json").exists()


@needs_reader
def test_cli_writes_the_same_file_with_and_without_the_native_engine(tmp_path, monkeypatch):
    frames, settings_doc = CASES["buckets_legacy_range"]
    frames_path, settings_path = tmp_path / "f.json", tmp_path / "s.json"
    frames_path.write_text(json.dumps({"frames": frames}))
    settings_path.write_text(json.dumps(settings_doc))
    argv = ["--task", "detection3d", "--frames", str(frames_path), "--settings", str(settings_path), "--output"]
    used = []
    real = native3d.evaluate_file
    monkeypatch.setattr(native3d, "evaluate_file", lambda *a: used.append(1) or real(*a))
    assert cli_run([*argv, str(tmp_path / "native.json")]) == 0
    assert used == [1]
    monkeypatch.setattr(native3d, "native_module", lambda: None)
    assert cli_run([*argv, str(tmp_path / "numpy.json")]) == 0
    assert (tmp_path / "native.json").read_bytes() == (tmp_path / "numpy.json").read_bytes()


@needs_reader
def test_file_path_equals_bytes_path_and_declines_an_unreadable_file(tmp_path):
    frames, settings_doc = CASES["spread_ties"]
    settings = parse_detection3d_settings(settings_doc)
    path = tmp_path / "frames.json"
    path.write_text(json.dumps({"frames": frames}))
    from_file = native3d.evaluate_file(str(path), settings)
    assert from_file is not None
    assert from_file.to_json_dict() == native3d.evaluate_json(path.read_bytes(), settings).to_json_dict()
    assert native3d.evaluate_file(str(tmp_path / "missing.json"), settings) is None
    assert native3d.evaluate_file(str(tmp_path), settings) is None  # a directory


@needs_reader
def test_cli_native_path_starts_without_numpy(tmp_path):
    frames, settings_doc = CASES["spread"]
    frames_path, settings_path = tmp_path / "f.json", tmp_path / "s.json"
    frames_path.write_text(json.dumps({"frames": frames}))
    settings_path.write_text(json.dumps(settings_doc))
    code = (
        "import sys; from awml_deploy.metrics.__main__ import run; "
        f"rc = run(['--task', 'detection3d', '--frames', {str(frames_path)!r}, '--settings', "
        f"{str(settings_path)!r}, '--output', {str(tmp_path / 'r.json')!r}]); print(rc, 'numpy' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": PYTHON_DIR}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.stdout.split() == ["0", "False"], proc.stderr
    assert json.loads((tmp_path / "r.json").read_text()) == evaluate_detection3d(frames, settings_doc).to_json_dict()
