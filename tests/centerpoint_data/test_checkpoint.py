"""The committed tiny CenterPoint: loads (weights_only) into the config's mmdet3d model and detects cars on the
committed evaluation scenes (car AP >= 0.5 at 2 m BEV centre distance, awml_deploy.metrics)."""

import os
import pickle

import numpy as np
import pytest
import torch

from awml_deploy.datasets import info_pkl, synthetic_set
from awml_deploy.datasets.synthetic_lidar import CLASSES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROJECT = os.path.join(ROOT, "projects", "centerpoint")
CONFIG = os.path.join(PROJECT, "configs", "centerpoint_tiny_synthetic.py")
ASSETS = os.path.join(PROJECT, "assets")
CHECKPOINT = os.path.join(ASSETS, "centerpoint_tiny_synthetic.pth")
EVAL_JSON = os.path.join(ASSETS, "eval_scenes.json")
EVAL_INFOS = os.path.join(ASSETS, "eval_infos.pkl")
NUM_FRAMES = 30


@pytest.fixture(scope="module")
def model():
    import mmdet.models  # noqa: F401
    import mmdet3d.models  # noqa: F401
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    torch.set_num_threads(1)  # fastest on a busy 2-core machine
    init_default_scope("mmdet3d")
    net = MODELS.build(Config.fromfile(CONFIG).model)
    state = torch.load(CHECKPOINT, map_location="cpu", weights_only=True)
    net.load_state_dict(state, strict=True)
    return net.eval()


@pytest.fixture(scope="module")
def eval_info(tmp_path_factory):
    return info_pkl.load_info_pkl(
        synthetic_set.materialize_scene_set(EVAL_JSON, str(tmp_path_factory.mktemp("eval")), NUM_FRAMES)
    )


def _predict(net, points):
    from mmdet3d.structures import Det3DDataSample, LiDARInstance3DBoxes

    sample = Det3DDataSample(metainfo=dict(box_type_3d=LiDARInstance3DBoxes))
    with torch.no_grad():
        data = net.data_preprocessor(
            {"inputs": {"points": [torch.from_numpy(points)]}, "data_samples": [sample]}, False
        )
        pred = net(**data, mode="predict")[0].pred_instances_3d
    box = pred.bboxes_3d
    return box.gravity_center.numpy(), box.dims.numpy(), box.yaw.numpy(), pred.scores_3d.numpy(), pred.labels_3d.numpy()


def test_assets_are_small_and_the_checkpoint_is_a_plain_fp32_state_dict():
    sizes = {
        os.path.relpath(os.path.join(folder, name), ASSETS): os.path.getsize(os.path.join(folder, name))
        for folder, _, names in os.walk(ASSETS)
        for name in names
        if name != "BUILD.bazel"
    }
    assert sum(sizes.values()) <= 8 * 2**20, sizes
    assert sizes["centerpoint_tiny_synthetic.pth"] <= 3 * 2**20
    state = torch.load(CHECKPOINT, map_location="cpu", weights_only=True)
    assert isinstance(state, dict) and all(isinstance(v, torch.Tensor) for v in state.values())
    assert {v.dtype for v in state.values() if v.is_floating_point()} == {torch.float32}


def test_committed_info_file_matches_the_scene_set(eval_info):
    with open(EVAL_INFOS, "rb") as f:
        committed = pickle.load(f)
    assert committed["metainfo"]["classes"] == list(CLASSES)
    assert len(committed["data_list"]) == len(synthetic_set.load_scene_set(EVAL_JSON)[1]) >= 200
    for frame, entry in zip(eval_info.frames, committed["data_list"], strict=False):
        assert entry["lidar_points"]["lidar_path"] == os.path.relpath(frame.lidar_path, os.path.dirname(eval_info.path))
        np.testing.assert_allclose(
            frame.gt_boxes, np.array([i["bbox_3d"] for i in entry["instances"]]).reshape(-1, 7), rtol=1e-6
        )


def test_checkpoint_detects_cars_on_the_eval_scenes(model, eval_info):
    from awml_deploy.metrics import evaluate_detection3d

    frames = []
    for i, frame in enumerate(eval_info.frames):
        center, size, yaw, score, label = _predict(model, info_pkl.load_points(frame))
        gt = [
            {"label": CLASSES[k], "center": b[:3].tolist(), "size": b[3:6].tolist(), "yaw": float(b[6])}
            for b, k in zip(frame.gt_boxes, frame.gt_labels, strict=True)
        ]
        pred = [
            {"label": CLASSES[k], "center": c.tolist(), "size": s.tolist(), "yaw": float(y), "score": float(p)}
            for c, s, y, p, k in zip(center, size, yaw, score, label, strict=True)
        ]
        frames.append({"frame_index": i, "timestamp_us": i * 100_000, "gt": gt, "pred": pred})
    thresholds = {label: [0.5, 1.0, 2.0, 4.0] for label in CLASSES}
    settings = {"labels": list(CLASSES), "thresholds": {"center_distance_bev": thresholds}}
    result = evaluate_detection3d({"frames": frames}, settings)
    car = result.modes["center_distance_bev"].per_label["car"]
    assert car.ap[2] >= 0.5, car
    # A random-weight model scores ~0: the threshold really needs training.
    assert car.ap[3] >= car.ap[2] >= car.ap[0]
