"""Scene sets: JSON of specs + sha256 -> re-rendered point files + info .pkl; mismatch and cache behaviour."""

import json
import os
import pickle

import numpy as np
import pytest

from awml_deploy.core.errors import DeployError
from awml_deploy.datasets import info_pkl, synthetic_set


def _set(tmp_path, seeds=(3, 4, 5)):
    json_path = str(tmp_path / "scenes.json")
    info = synthetic_set.generate_scene_set(list(seeds), str(tmp_path / "gen"), json_path=json_path)
    return json_path, info


def test_materialized_set_equals_the_generated_one(tmp_path):
    json_path, gen_info = _set(tmp_path)
    out = str(tmp_path / "mat")
    mat_info = synthetic_set.materialize_scene_set(json_path, out)
    a, b = info_pkl.load_info_pkl(gen_info), info_pkl.load_info_pkl(mat_info)
    assert len(a.frames) == len(b.frames) == 3 and a.classes == b.classes
    for fa, fb in zip(a.frames, b.frames, strict=True):
        np.testing.assert_array_equal(info_pkl.load_points(fa), info_pkl.load_points(fb))
        np.testing.assert_array_equal(fa.gt_boxes, fb.gt_boxes)
        np.testing.assert_array_equal(fa.gt_labels, fb.gt_labels)
        assert np.all(fb.num_lidar_pts >= synthetic_set.DEFAULT_MIN_POINTS)
        n = len(info_pkl.load_points(fb))
        assert len(info_pkl.load_semantic_mask(fb, n)) == n
    assert len(synthetic_set.load_scene_set(json_path)[1]) == 3
    # limit
    assert (
        len(info_pkl.load_info_pkl(synthetic_set.materialize_scene_set(json_path, str(tmp_path / "m2"), 2)).frames) == 2
    )


def test_annotation_threshold_drops_boxes_with_few_points(tmp_path):
    json_path, _ = _set(tmp_path, seeds=(21,))
    doc, specs = synthetic_set.load_scene_set(json_path)
    counts = np.asarray(doc["frames"][0]["box_points"])
    boxes, labels, npts = synthetic_set.annotated(specs[0], counts, 5)
    expected = specs[0].gt_mask() & (counts >= 5)
    assert len(boxes) == expected.sum() and np.all(npts >= 5)
    assert len(synthetic_set.annotated(specs[0], counts, 10**6)[0]) == 0


def test_sha_mismatch_fails_clearly_and_cached_frames_are_not_rerendered(tmp_path, monkeypatch):
    json_path, _ = _set(tmp_path, seeds=(8,))
    out = str(tmp_path / "mat")
    synthetic_set.materialize_scene_set(json_path, out)

    def boom(spec):
        raise AssertionError("re-rendered a cached frame")

    monkeypatch.setattr(synthetic_set, "render_scene", boom)
    synthetic_set.materialize_scene_set(json_path, out)  # cache hit: no rendering
    monkeypatch.undo()

    with open(json_path) as f:
        doc = json.load(f)
    doc["frames"][0]["sha256"] = "0" * 64
    with open(json_path, "w") as f:
        json.dump(doc, f)
    with pytest.raises(DeployError, match="does not match the recorded sha256") as err:
        synthetic_set.materialize_scene_set(json_path, str(tmp_path / "fresh"))
    assert "\n" not in str(err.value) and "seed 8" in str(err.value)


def test_bad_scene_set_files(tmp_path):
    with pytest.raises(DeployError, match="scene-set JSON not found"):
        synthetic_set.load_scene_set(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    with pytest.raises(DeployError, match="not a scene set"):
        synthetic_set.load_scene_set(str(bad))
    bad.write_text("{not json")
    with pytest.raises(DeployError, match="unreadable JSON"):
        synthetic_set.load_scene_set(str(bad))


def test_generated_info_file_is_mmdet3d_style(tmp_path):
    _, info = _set(tmp_path, seeds=(2,))
    with open(info, "rb") as f:
        doc = pickle.load(f)
    entry = doc["data_list"][0]
    assert doc["metainfo"]["classes"] == ["car", "truck", "bus", "bicycle", "pedestrian"]
    assert entry["lidar_points"] == {"lidar_path": "points/000000.bin", "num_pts_feats": 4}
    assert os.path.isfile(os.path.join(os.path.dirname(info), entry["pts_semantic_mask_path"]))
    inst = entry["instances"][0]
    assert len(inst["bbox_3d"]) == 7 and isinstance(inst["bbox_label_3d"], int) and inst["num_lidar_pts"] >= 5
