"""Property tests (hypothesis): AP in [0, 1], frame-permutation invariance, perfect predictions give 1."""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awml_deploy import metrics

LABELS = ("car", "pedestrian")
THRESHOLDS = {
    "center_distance_3d": {"car": [0.5, 2.0], "pedestrian": [0.5, 1.0]},
    "center_distance_bev": {"car": [1.0, 2.0], "pedestrian": [0.5]},
    "plane_distance": {"car": [1.0, 2.0], "pedestrian": [0.5]},
    "iou_bev": {"car": [0.1, 0.5], "pedestrian": [0.3]},
    "iou_3d": {"car": [0.1, 0.5], "pedestrian": [0.3]},
}
SETTINGS = {"labels": list(LABELS), "thresholds": THRESHOLDS}

coord = st.floats(-20.0, 20.0, allow_nan=False)
objects = st.fixed_dictionaries(
    {
        "label": st.sampled_from(LABELS),
        "center": st.tuples(coord, coord, st.floats(-1.0, 1.0)).map(list),
        "size": st.tuples(st.floats(0.3, 6.0), st.floats(0.3, 3.0), st.floats(0.5, 3.0)).map(list),
        "yaw": st.floats(-math.pi, math.pi),
    }
)


@st.composite
def scenes(draw):
    """Frames with GT, noisy copies as predictions and strays; scores distinct across the scene."""
    num_frames = draw(st.integers(1, 4))
    frames, scores = [], iter(draw(st.lists(st.floats(0.0, 1.0), min_size=60, max_size=60, unique=True)))
    for f in range(num_frames):
        gt = draw(st.lists(objects, max_size=6))
        pred = []
        for g in gt:
            if draw(st.booleans()):
                dx, dy = draw(st.floats(-1.5, 1.5)), draw(st.floats(-1.5, 1.5))
                pred.append(
                    {
                        **g,
                        "center": [g["center"][0] + dx, g["center"][1] + dy, g["center"][2]],
                        "yaw": g["yaw"] + draw(st.floats(-1.0, 1.0)),
                        "score": next(scores),
                    }
                )
        pred += [{**o, "score": next(scores)} for o in draw(st.lists(objects, max_size=3))]
        frames.append({"frame_index": f, "timestamp_us": f, "gt": gt, "pred": pred})
    return frames


def all_values(result):
    for mode in result.modes.values():
        for r in mode.per_label.values():
            yield from r.ap
            yield from r.aph


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes())
def test_ap_and_aph_in_unit_interval(frames):
    result = metrics.evaluate_detection3d(frames, SETTINGS)
    for value in all_values(result):
        assert math.isnan(value) or -1e-12 <= value <= 1.0 + 1e-12
    for mode in result.modes.values():
        for r in mode.per_label.values():
            assert all(tp + fp == r.num_pred for tp, fp in zip(r.num_tp, r.num_fp, strict=True))
            assert all(tp <= r.num_gt for tp in r.num_tp)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes(), st.randoms(use_true_random=False))
def test_frame_order_does_not_matter(frames, rnd):
    shuffled = frames[:]
    rnd.shuffle(shuffled)
    a = metrics.evaluate_detection3d(frames, SETTINGS)
    b = metrics.evaluate_detection3d(shuffled, SETTINGS)
    for x, y in zip(all_values(a), all_values(b), strict=True):
        assert (math.isnan(x) and math.isnan(y)) or abs(x - y) <= 1e-12


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(objects, min_size=1, max_size=6), min_size=1, max_size=4))
def test_perfect_predictions_give_one(gt_frames):
    frames = []
    for f, drawn in enumerate(gt_frames):
        # Spread the boxes 15 m apart along x so that no other GT competes with a perfect copy.
        gt = [{**g, "center": [-45.0 + 15.0 * i + g["center"][0] / 10, *g["center"][1:]]} for i, g in enumerate(drawn)]
        pred = [{**g, "score": 1.0 - 0.01 * i} for i, g in enumerate(gt)]
        frames.append({"frame_index": f, "timestamp_us": f, "gt": gt, "pred": pred})
    result = metrics.evaluate_detection3d(frames, SETTINGS)
    for mode in result.modes.values():
        for r in mode.per_label.values():
            if r.num_gt:
                assert r.num_fp == (0,) * len(r.thresholds)
                assert all(abs(v - 1.0) <= 1e-12 for v in r.ap + r.aph)
            else:
                assert all(math.isnan(v) for v in r.ap)
