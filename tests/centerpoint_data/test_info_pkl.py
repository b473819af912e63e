"""mmdet3d/AWML info .pkl loader: a tiny info file written here, loading, sweeps, and every malformed input."""

import os
import pickle

import numpy as np
import pytest

from awml_deploy.core.errors import DeployError
from awml_deploy.datasets import info_pkl

CLASSES = ("car", "truck", "bus", "bicycle", "pedestrian")


def _write_points(path, n, width, offset=0.0):
    pts = (np.arange(n * width, dtype=np.float32).reshape(n, width) + offset).astype("<f4")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pts.tofile(path)
    return pts


def _tiny(tmp_path, width=4):
    """Two frames; the second has one sweep and an ignored (-1) instance."""
    p0 = _write_points(str(tmp_path / "lidar" / "0.bin"), 5, width)
    p1 = _write_points(str(tmp_path / "lidar" / "1.bin"), 3, width, 100.0)
    _write_points(str(tmp_path / "lidar" / "1_sweep.bin"), 2, width, 200.0)
    (tmp_path / "sem").mkdir()
    np.array([0, 1, 1, 0, 6], np.uint8).tofile(str(tmp_path / "sem" / "0.bin"))
    e0 = info_pkl.make_info_entry(
        0, "lidar/0.bin", np.array([[1, 2, 0.8, 4.5, 1.9, 1.6, 0.1]]), [0], width, [12], semantic_mask_path="sem/0.bin"
    )
    e1 = info_pkl.make_info_entry(
        1, "lidar/1.bin", np.array([[5, 5, 1.5, 8, 2.5, 3, 0], [9, 9, 0.9, 0.6, 0.6, 1.8, 0]]), [1, 4], width
    )
    e1["instances"].append({"bbox_3d": [0, 0, 0, 1, 1, 1, 0], "bbox_label_3d": -1})
    shift = np.eye(4)
    shift[:3, 3] = [1.0, 2.0, 3.0]
    e1["lidar_sweeps"] = [
        {"lidar_points": {"lidar_path": "lidar/1_sweep.bin", "lidar2sensor": shift}, "timestamp": 0.05}
    ]
    path = str(tmp_path / "infos.pkl")
    info_pkl.write_info_pkl(path, [e0, e1], CLASSES)
    return path, p0, p1


def _dump(tmp_path, obj, name="bad.pkl"):
    path = str(tmp_path / name)
    with open(path, "wb") as f:
        pickle.dump(obj, f)
    return path


def test_tiny_info_file_loads_frames_boxes_points_and_labels(tmp_path):
    path, p0, p1 = _tiny(tmp_path)
    info = info_pkl.load_info_pkl(path)
    assert info.classes == CLASSES and len(info.frames) == 2
    f0, f1 = info.frames
    assert f0.lidar_path == str(tmp_path / "lidar" / "0.bin") and f0.num_pts_feats == 4
    np.testing.assert_allclose(f0.gt_boxes, [[1, 2, 0.8, 4.5, 1.9, 1.6, 0.1]], rtol=1e-6)
    assert f0.gt_labels.tolist() == [0] and f0.num_lidar_pts.tolist() == [12]
    assert f1.gt_labels.tolist() == [1, 4]  # the -1 instance is dropped
    assert f1.num_lidar_pts.tolist() == [-1, -1]
    np.testing.assert_array_equal(info_pkl.load_points(f0), p0)
    np.testing.assert_array_equal(info_pkl.load_points(f1), p1)
    assert info_pkl.load_semantic_mask(f0, len(p0)).tolist() == [0, 1, 1, 0, 6]
    with pytest.raises(DeployError, match="no pts_semantic_mask_path"):
        info_pkl.load_semantic_mask(f1, len(p1))


def test_sweeps_are_moved_into_the_current_frame_and_get_the_time_lag(tmp_path):
    path, _, p1 = _tiny(tmp_path)
    frame = info_pkl.load_info_pkl(path).frames[1]
    assert len(frame.sweeps) == 1 and frame.sweeps[0].timestamp == 0.05
    both = info_pkl.load_points(frame, num_sweeps=1)
    assert both.shape == (5, 4)
    np.testing.assert_array_equal(both[:3], p1)
    sweep = np.fromfile(frame.sweeps[0].lidar_path, dtype="<f4").reshape(-1, 4)
    # mmdet3d's convention: p' = p @ R - t (R = identity here).
    np.testing.assert_allclose(both[3:, :3], sweep[:, :3] - np.array([1.0, 2.0, 3.0]), rtol=1e-6)
    np.testing.assert_allclose(both[3:, 3], [0.1 - 0.05] * 2, rtol=1e-6)


def test_categories_dict_and_data_root_override(tmp_path):
    path, p0, _ = _tiny(tmp_path)
    with open(path, "rb") as f:
        doc = pickle.load(f)
    del doc["metainfo"]["classes"]
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    other = _dump(moved, doc, "infos.pkl")
    info = info_pkl.load_info_pkl(other, data_root=str(tmp_path))
    assert info.classes == CLASSES
    np.testing.assert_array_equal(info_pkl.load_points(info.frames[0]), p0)
    with pytest.raises(DeployError, match="point file not found"):
        info_pkl.load_points(info_pkl.load_info_pkl(other).frames[0])


def test_point_file_of_the_wrong_width_fails_with_one_line(tmp_path):
    path, _, _ = _tiny(tmp_path, width=5)  # 5 floats per point on disk ...
    with open(path, "rb") as f:
        doc = pickle.load(f)
    for entry in doc["data_list"]:
        entry["lidar_points"]["num_pts_feats"] = 4  # ... but the info file says 4
    bad = _dump(tmp_path, doc)
    frame = info_pkl.load_info_pkl(bad).frames[0]  # 5 points x 5 floats = 100 B, not a multiple of 16
    with pytest.raises(DeployError) as err:
        info_pkl.load_points(frame)
    msg = str(err.value)
    assert "not a multiple of 4*num_pts_feats = 16" in msg and "[5]" in msg and "\n" not in msg
    npy = str(tmp_path / "pts.npy")
    np.save(npy, np.zeros((3, 5), np.float32))
    with pytest.raises(DeployError, match=r"wrong point width.*\(N, 4\)"):
        info_pkl.read_point_file(npy, 4)
    assert info_pkl.read_point_file(npy, 5).shape == (3, 5)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([1, 2, 3], "not an mmdet3d v2 info file"),
        ({"metainfo": {"classes": ["car"]}}, "not an mmdet3d v2 info file"),
        ({"metainfo": {}, "data_list": []}, "metainfo has no class list"),
        ({"metainfo": {"categories": {"car": 0, "bus": 2}}, "data_list": []}, "ids are not 0..K-1"),
        ({"metainfo": {"classes": ["car"]}, "data_list": ["x"]}, r"data_list\[0\] \| not a dict"),
        ({"metainfo": {"classes": ["car"]}, "data_list": [{"lidar_points": {}}]}, "no lidar_points.lidar_path"),
        (
            {
                "metainfo": {"classes": ["car"]},
                "data_list": [{"lidar_points": {"lidar_path": "a", "num_pts_feats": 2}}],
            },
            "num_pts_feats | bad value",
        ),
        (
            {
                "metainfo": {"classes": ["car"]},
                "data_list": [{"lidar_points": {"lidar_path": "a"}, "instances": [{"bbox_3d": [1]}]}],
            },
            r"instances\[0\] \| missing keys",
        ),
        (
            {
                "metainfo": {"classes": ["car"]},
                "data_list": [
                    {
                        "lidar_points": {"lidar_path": "a"},
                        "instances": [{"bbox_3d": [0, 0, 0, 1, 1], "bbox_label_3d": 0}],
                    }
                ],
            },
            r"bbox_3d \| bad box",
        ),
        (
            {
                "metainfo": {"classes": ["car"]},
                "data_list": [
                    {"lidar_points": {"lidar_path": "a"}, "instances": [{"bbox_3d": [0] * 7, "bbox_label_3d": 3}]}
                ],
            },
            r"bbox_label_3d \| out of range.*-1 or 0..0",
        ),
        (
            {
                "metainfo": {"classes": ["car"]},
                "data_list": [
                    {
                        "lidar_points": {"lidar_path": "a"},
                        "lidar_sweeps": [{"lidar_points": {"lidar_path": "b", "lidar2sensor": [1, 2]}}],
                    }
                ],
            },
            r"lidar2sensor \| bad shape",
        ),
    ],
)
def test_malformed_info_files_fail_with_one_line(tmp_path, content, message):
    path = _dump(tmp_path, content)
    with pytest.raises(DeployError, match=message) as err:
        info_pkl.load_info_pkl(path)
    assert "\n" not in str(err.value) and path in str(err.value)


def test_missing_and_non_pickle_files(tmp_path):
    with pytest.raises(DeployError, match="info file not found"):
        info_pkl.load_info_pkl(str(tmp_path / "nope.pkl"))
    junk = tmp_path / "junk.pkl"
    junk.write_text("this is not a pickle")
    with pytest.raises(DeployError, match="not a readable pickle"):
        info_pkl.load_info_pkl(str(junk))
