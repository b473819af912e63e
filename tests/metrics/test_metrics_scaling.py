"""Reliability finding 6 (metrics memory quadratic per frame): large frames are matched from candidate pairs only.

A frame with more pairs than ``sparse.DENSE_PAIRS`` is streamed (grid candidates, blocks of predictions); the
all-pairs path is today's engine. Both must give identical results, and the streamed path must agree with the
per-object reference (metrics.naive) on a size that reference can run.
"""

import os
import resource
import subprocess
import sys

import pytest

from awml_deploy import metrics
from awml_deploy.core.errors import DeployError
from awml_deploy.metrics import naive, sparse, synthetic

THRESHOLDS = {
    "center_distance_3d": [0.5, 2.0],
    "center_distance_bev": [0.5, 1.0, 4.0],
    "plane_distance": [0.5, 2.0],
    "iou_bev": [0.1, 0.5],
    "iou_3d": [0.0, 0.3],
}


def settings_for(labels, thresholds=THRESHOLDS):
    return {"labels": list(labels), "thresholds": {m: {lb: t for lb in labels} for m, t in thresholds.items()}}


def one_frame(objects: int, seed: int, extent: float) -> list[dict]:
    frames = synthetic.frames_3d(1, objects=objects, seed=seed, labels=("car", "truck"), extent=extent)
    return frames


def run_with(monkeypatch, dense_pairs, block_pairs, fn, *args):
    monkeypatch.setattr(sparse, "DENSE_PAIRS", dense_pairs)
    monkeypatch.setattr(sparse, "BLOCK_PAIRS", block_pairs)
    return fn(*args).to_json_dict()


def test_finding6_frame_of_thousands_streamed_equals_all_pairs(monkeypatch):
    frames = one_frame(2000, seed=3, extent=60.0)  # ~2,000 GT and ~2,200 predictions in one frame, crowded
    settings = settings_for(("car", "truck"))
    streamed = run_with(monkeypatch, 1 << 16, 1 << 14, metrics.evaluate_detection3d, frames, settings)
    all_pairs = run_with(monkeypatch, 1 << 62, 1 << 20, metrics.evaluate_detection3d, frames, settings)
    assert streamed == all_pairs
    car = streamed["modes"]["iou_bev"]["per_label"]["car"]
    assert car["num_gt"] > 800 and 0 < car["num_tp"]["0.5"] < car["num_pred"]


@pytest.mark.parametrize("seed", [0, 1])
def test_finding6_streamed_equals_naive_with_ties(monkeypatch, seed):
    # Every frame streamed, tiny blocks (block borders inside frames), scores with one decimal (many ties).
    frames = synthetic.frames_3d(3, objects=50, seed=seed, labels=("car",), extent=10.0, score_decimals=1)
    settings = settings_for(("car",))
    streamed = run_with(monkeypatch, 0, 7, metrics.evaluate_detection3d, frames, settings)
    assert streamed == run_with(monkeypatch, 1 << 62, 1 << 20, metrics.evaluate_detection3d, frames, settings)
    reference = naive.detection3d(frames, settings)
    for mode, result in streamed["modes"].items():
        for key in ("num_tp", "num_fp", "ap", "aph"):
            ours = result["per_label"]["car"][key]
            theirs = reference["modes"][mode]["per_label"]["car"][key]
            assert ours.keys() == theirs.keys()
            for t in ours:
                assert abs(ours[t] - theirs[t]) <= 1e-9, (mode, key, t)


def test_finding6_streamed_2d_equals_all_pairs(monkeypatch):
    frames = synthetic.frames_2d(2, objects=400, seed=4, labels=("car", "person"), score_decimals=1)
    settings = {"labels": ["car", "person"], "thresholds": {"iou_2d": {"car": [0.3, 0.7], "person": [0.5]}}}
    streamed = run_with(monkeypatch, 0, 97, metrics.evaluate_detection2d, frames, settings)
    assert streamed == run_with(monkeypatch, 1 << 62, 1 << 20, metrics.evaluate_detection2d, frames, settings)
    person = streamed["modes"]["iou_2d"]["per_label"]["person"]
    assert 0 < person["num_tp"]["0.5"] < person["num_pred"]


def test_finding6_streamed_handles_giant_and_zero_boxes(monkeypatch):
    # One 1e6 m box (the grid degenerates to one row) and zero-size boxes at a single spot.
    gt = [{"label": "car", "center": [float(i % 7), 0.0, 0.0], "size": [0.0, 0.0, 0.0], "yaw": 0.0} for i in range(300)]
    gt.append({"label": "car", "center": [1.0, 1.0, 0.0], "size": [1e6, 2.0, 2.0], "yaw": 0.3})
    pred = [dict(g, score=0.5) for g in gt[::-1]]
    frames = [{"frame_index": 0, "timestamp_us": 0, "gt": gt, "pred": pred}]
    settings = settings_for(("car",))
    streamed = run_with(monkeypatch, 0, 50, metrics.evaluate_detection3d, frames, settings)
    assert streamed == run_with(monkeypatch, 1 << 62, 1 << 20, metrics.evaluate_detection3d, frames, settings)


def test_finding6_20000_objects_bounded_memory():
    # In a child process: peak RSS well under what all pairs needed (20,000 objects: OOM-killed at 23 GB).
    code = (
        "import resource, sys;"
        "from awml_deploy import metrics; from awml_deploy.metrics import synthetic;"
        "f = synthetic.frames_3d(1, objects=20000, seed=1, labels=('car',), extent=99.0);"
        "s = {'labels': ['car'], 'thresholds': {m: {'car': t} for m, t in (('center_distance_bev', [1.0, 2.0]),"
        " ('plane_distance', [1.0, 2.0]), ('iou_bev', [0.1, 0.5]), ('iou_3d', [0.1, 0.5]))}};"
        "r = metrics.evaluate_detection3d(f, s).to_json_dict();"
        "print(r['modes']['iou_bev']['per_label']['car']['num_gt'],"
        " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    limit = 2 << 30  # 2 GiB of address space is far too little for 20,000^2 pairs
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    num_gt, max_rss_kb = (int(v) for v in out.stdout.split())
    assert num_gt > 18000
    assert max_rss_kb < 1_000_000, max_rss_kb


def car(x: float, score=None) -> dict:
    obj = {"label": "car", "center": [x, 0.0, 0.0], "size": [4.0, 2.0, 1.5], "yaw": 0.0}
    return obj if score is None else dict(obj, score=score)


@pytest.mark.parametrize(
    "evaluate, frames, settings",
    [
        (
            metrics.evaluate_detection3d,
            [{"frame_index": 7, "timestamp_us": 0, "gt": [car(0.0)], "pred": []}] * 2,
            settings_for(("car",)),
        ),
        (
            metrics.evaluate_classification,
            [{"frame_index": 7, "timestamp_us": i, "gt": [], "pred": []} for i in range(2)],
            {"labels": ["ok"]},
        ),
    ],
)
def test_finding13_duplicate_frame_index_is_one_line_error(evaluate, frames, settings):
    with pytest.raises(DeployError) as err:
        evaluate(frames, settings)
    assert str(err.value) == (
        "frames[1].frame_index | duplicate of frames[0].frame_index. "
        "Note: expected a frame_index unique in the frame list, got 7"
    )


def test_finding13_negative_scores_are_accepted_and_only_rank():
    # Scores shifted by -5 rank the same, so every count and AP is unchanged (documented acceptance).
    frames = synthetic.frames_3d(6, objects=12, seed=2, labels=("car",), extent=40.0)
    shifted = [dict(f, pred=[dict(p, score=p["score"] - 5.0) for p in f["pred"]]) for f in frames]
    settings = settings_for(("car",))
    base = metrics.evaluate_detection3d(frames, settings).to_json_dict()
    assert metrics.evaluate_detection3d(shifted, settings).to_json_dict() == base
    assert base["modes"]["center_distance_bev"]["per_label"]["car"]["num_tp"]["1.0"] > 0


def test_finding6_objects_at_one_spot_streamed_equals_all_pairs(monkeypatch):
    # The worst case of the finding (5,000 boxes at one spot: 151 s): identical ground truth share their costs.
    spot = {"label": "car", "center": [10.0, 5.0, 0.0], "size": [4.5, 1.9, 1.6], "yaw": 0.3}
    gt = [dict(spot) for _ in range(300)] + [dict(spot, center=[10.5, 5.0, 0.0], yaw=-0.3) for _ in range(40)]
    pred = [dict(spot, score=round(1.0 - i / 800, 1)) for i in range(330)]
    pred += [dict(spot, center=[10.4, 5.0, 0.0], yaw=3.0, score=0.7) for _ in range(30)]
    frames = [{"frame_index": 0, "timestamp_us": 0, "gt": gt, "pred": pred}]
    settings = settings_for(("car",))
    streamed = run_with(monkeypatch, 0, 1000, metrics.evaluate_detection3d, frames, settings)
    assert streamed == run_with(monkeypatch, 1 << 62, 1 << 20, metrics.evaluate_detection3d, frames, settings)
    # The 300 ground truth at the spot are each taken (IoU 1) by one of the 330 identical predictions.
    assert streamed["modes"]["iou_bev"]["per_label"]["car"]["num_tp"]["0.5"] >= 300
