"""The vectorised engine against the per-object implementation (metrics.naive) on random data, to 1e-9."""

import math

import numpy as np
import pytest

from awml_deploy import metrics
from awml_deploy.metrics import naive, synthetic

LABELS = ("car", "truck", "pedestrian")
SETTINGS_3D = {
    "labels": list(LABELS),
    "thresholds": {
        "center_distance_3d": {"car": [0.5, 1.0, 2.0, 4.0], "truck": [2.0, 4.0], "pedestrian": [0.5, 1.0]},
        "center_distance_bev": {label: [0.5, 1.0, 2.0, 4.0] for label in LABELS},
        "plane_distance": {"car": [0.5, 1.0, 2.0], "truck": [1.0, 2.0, 3.0], "pedestrian": [0.3, 1.0]},
        "iou_bev": {label: [0.1, 0.3, 0.5, 0.7] for label in LABELS},
        "iou_3d": {"car": [0.1, 0.5], "truck": [0.2], "pedestrian": [0.0, 0.25]},
    },
}


def max_diff(ours, theirs, path=""):
    """Largest |difference| over matching JSON leaves; structure, nulls and strings must agree exactly."""
    if isinstance(ours, dict):
        assert ours.keys() == theirs.keys(), path
        return max([max_diff(ours[k], theirs[k], f"{path}.{k}") for k in ours] + [0.0])
    if isinstance(ours, list):
        assert len(ours) == len(theirs), path
        return max([max_diff(a, b, path) for a, b in zip(ours, theirs, strict=True)] + [0.0])
    if ours is None or isinstance(ours, str):
        assert ours == theirs, (path, ours, theirs)
        return 0.0
    assert theirs is not None, path
    return abs(ours - theirs)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_detection3d_matches_naive(seed):
    frames = synthetic.frames_3d(25, objects=14, seed=seed, labels=LABELS, extent=105.0, score_decimals=2)
    ours = metrics.evaluate_detection3d(frames, SETTINGS_3D).to_json_dict()
    theirs = naive.detection3d(frames, SETTINGS_3D)
    assert max_diff(ours, theirs) <= 1e-9
    counts = ours["modes"]["iou_bev"]["per_label"]["car"]
    assert counts["num_gt"] > 20 and 0 < counts["num_tp"]["0.1"] < counts["num_pred"]  # the data is not trivial


def test_detection3d_dense_scene_matches_naive():
    # Many overlapping boxes of one label in few frames: conflicts, ties and chunking all happen.
    frames = synthetic.frames_3d(4, objects=60, seed=5, labels=("car",), extent=12.0, score_decimals=1)
    settings = {
        "labels": ["car"],
        "thresholds": {
            m: {"car": t}
            for m, t in (
                ("center_distance_bev", [0.5, 1.0, 2.0]),
                ("plane_distance", [1.0, 2.0]),
                ("iou_3d", [0.1, 0.4]),
            )
        },
    }
    ours = metrics.evaluate_detection3d(frames, settings).to_json_dict()
    assert max_diff(ours, naive.detection3d(frames, settings)) <= 1e-9


# fill 0: always the padded per-frame tables (chunked or not, unrolled or argmin); inf: always the pair steps.
_STRATEGIES = [(64, 12, 0.0), (1 << 22, 0, 0.0), (64, 0, 0.0), (1 << 22, 1000, 0.0), (1 << 22, 12, math.inf)]


# Spread out (sparse candidates), crowded (dense), and every ground truth listed twice with the copy turned by
# 1 rad: exact centre-distance ties, where taking the copy instead of the first in input order changes APH.
@pytest.mark.parametrize(("extent", "twice"), [(110.0, False), (4.0, False), (110.0, True)])
@pytest.mark.parametrize(("chunk", "unroll", "fill"), _STRATEGIES)
def test_matching_strategies_give_the_same_result(monkeypatch, chunk, unroll, fill, extent, twice):
    from awml_deploy.metrics import matching

    frames = synthetic.frames_3d(30, objects=20, seed=3, labels=LABELS, extent=extent, score_decimals=1)
    if twice:
        frames = [dict(f, gt=[dict(g, yaw=g["yaw"] + c) for g in f["gt"] for c in (0.0, 1.0)]) for f in frames]
    whole = metrics.evaluate_detection3d(frames, SETTINGS_3D).to_json_dict()
    monkeypatch.setattr(matching, "_CHUNK_ELEMENTS", chunk)
    monkeypatch.setattr(matching, "_UNROLL_GT", unroll)
    monkeypatch.setattr(matching, "_PAIR_FILL", fill)
    assert max_diff(metrics.evaluate_detection3d(frames, SETTINGS_3D).to_json_dict(), whole) == 0.0
    assert max_diff(whole, naive.detection3d(frames, SETTINGS_3D)) <= 1e-9


def test_legacy_unsigned_yaw_matches_naive():
    frames = synthetic.frames_3d(20, objects=10, seed=4, labels=LABELS)
    settings = {**SETTINGS_3D, "legacy_unsigned_yaw": True}
    ours = metrics.evaluate_detection3d(frames, settings).to_json_dict()
    theirs = naive.detection3d(frames, SETTINGS_3D, legacy_unsigned_yaw=True)
    for mode, block in ours["modes"].items():
        for label, entry in block["per_label"].items():
            expected = theirs["modes"][mode]["per_label"][label]
            assert max_diff(entry["aph_legacy_unsigned_yaw"], expected["aph"]) <= 1e-9
            assert max_diff(entry["mean_aph_legacy_unsigned_yaw"], expected["mean_aph"]) <= 1e-9


def test_distance_buckets_match_naive_on_prefiltered_frames():
    frames = synthetic.frames_3d(20, objects=16, seed=6, labels=LABELS)
    buckets = [[0.0, 50.0], [50.0, 90.0], [90.0, 121.0]]
    result = metrics.evaluate_detection3d(frames, {**SETTINGS_3D, "distance_buckets": buckets}).to_json_dict()
    for lo, hi in buckets:

        def inside(obj, lo=lo, hi=hi):
            return lo <= math.hypot(obj["center"][0], obj["center"][1]) < hi

        cut = [
            {**f, "gt": [o for o in f["gt"] if inside(o)], "pred": [o for o in f["pred"] if inside(o)]} for f in frames
        ]
        expected = naive.detection3d(cut, SETTINGS_3D)
        assert max_diff(result["distance_buckets"][f"[{lo}, {hi})"]["modes"], expected["modes"]) <= 1e-9


@pytest.mark.parametrize("seed", [0, 1])
def test_detection2d_matches_naive(seed):
    frames = synthetic.frames_2d(40, objects=8, seed=seed, labels=LABELS)
    settings = {
        "labels": list(LABELS),
        "thresholds": {"iou_2d": {"car": [0.5, 0.7], "truck": [0.5], "pedestrian": [0.3, 0.5]}},
    }
    ours = metrics.evaluate_detection2d(frames, settings).to_json_dict()
    assert max_diff(ours, naive.detection2d(frames, settings)) <= 1e-9


def test_classification_matches_naive():
    frames = synthetic.frames_classification(200, seed=1)
    settings = {"labels": ["ok", "miscalibrated"]}
    ours = metrics.evaluate_classification(frames, settings).to_json_dict()
    assert max_diff(ours, naive.classification(frames, settings)) == 0.0


def test_naive_interp_is_numpy_interp():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 8))
        xp = np.sort(rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], n))
        fp = np.sort(rng.random(n))[::-1]
        for x in np.linspace(0.0, 1.0, 101):
            assert naive.interp(float(x), xp.tolist(), fp.tolist()) == pytest.approx(
                np.interp(x, xp, fp, right=0), abs=1e-15
            )
