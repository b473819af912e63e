"""Report pictures: the matching and precision-recall arithmetic on hand-made frames, and the PNG files."""

from __future__ import annotations

import numpy as np
import pytest

from projects.centerpoint.plots import draw_evaluation, match_frames, pr_curve


def _obj(label: str, x: float, score: float | None = None, yaw: float = 0.0) -> dict:
    obj = {"label": label, "center": [x, 0.0, 1.0], "size": [4.0, 2.0, 1.5], "yaw": yaw}
    if score is not None:
        obj["score"] = score
    return obj


FRAMES = [
    {"gt": [_obj("car", 0.0), _obj("car", 10.0)], "pred": [_obj("car", 0.5, 0.9), _obj("car", 30.0, 0.8)]},
    {"gt": [_obj("car", 5.0)], "pred": [_obj("car", 5.0, 0.7, yaw=0.1), _obj("car", 5.2, 0.6), _obj("bus", 5, 0.9)]},
]


def test_matching_and_pr_curve_by_hand() -> None:
    scores, tps, num_gt, pairs = match_frames(FRAMES, "car", 2.0)
    # frame 0: 0.9 hits (0.5 m), 0.8 misses (20 m away); frame 1: 0.7 hits, 0.6 finds its GT taken.
    assert scores.tolist() == [0.9, 0.8, 0.7, 0.6] and tps.tolist() == [True, False, True, False] and num_gt == 3
    assert len(pairs) == 2
    recall, precision = pr_curve(scores, tps, num_gt)
    np.testing.assert_allclose(recall, [1 / 3, 1 / 3, 2 / 3, 2 / 3])
    np.testing.assert_allclose(precision, [1.0, 0.5, 2 / 3, 0.5])


def test_pictures_are_written(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    paths = draw_evaluation({"pytorch": FRAMES, "onnx": FRAMES}, ["car", "bus"], tmp_path)
    assert [p.name for p in paths] == ["pr_curves.png", "box_errors.png"]
    assert all(p.stat().st_size > 5_000 for p in paths)
