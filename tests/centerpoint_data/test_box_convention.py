"""Box convention of the synthetic CenterPoint data: the labelled yaw must be a function of the rendered points
(canonical boxes of pi-symmetric cuboids), and mmdet3d's CenterHead targets must decode back to the labels."""

import math
import os

import numpy as np
import pytest
import torch

from awml_deploy.datasets.synthetic_lidar import (
    SceneSpec,
    canonical_boxes,
    points_digest,
    render_scene,
    sample_scene,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, "projects", "centerpoint", "configs", "centerpoint_tiny_synthetic.py")


def _bev_corners(boxes):
    """(M, 4, 2) BEV corners, sorted so that equal solids give equal arrays."""
    c, s = np.cos(boxes[:, 6]), np.sin(boxes[:, 6])
    out = []
    for dx, dy in ((0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5), (0.5, -0.5)):
        lx, ly = dx * boxes[:, 3], dy * boxes[:, 4]
        out.append(np.stack([boxes[:, 0] + c * lx - s * ly, boxes[:, 1] + s * lx + c * ly], axis=-1))
    corners = np.stack(out, axis=1).round(6)
    return np.stack([sorted(map(tuple, k)) for k in corners])


def test_canonical_boxes_keep_the_solid_and_are_unique_per_solid():
    rng = np.random.default_rng(0)
    boxes = np.concatenate(
        [rng.uniform(-30, 30, (200, 3)), rng.uniform(0.4, 12, (200, 3)), rng.uniform(-10, 10, (200, 1))], axis=1
    )
    canon = canonical_boxes(boxes)
    assert np.all(canon[:, 3] >= canon[:, 4])
    assert np.all((canon[:, 6] >= -math.pi / 4 - 1e-12) & (canon[:, 6] < 3 * math.pi / 4 + 1e-12))
    np.testing.assert_allclose(_bev_corners(canon), _bev_corners(boxes), atol=1e-5)
    np.testing.assert_allclose(canon[:, [0, 1, 2, 5]], boxes[:, [0, 1, 2, 5]])
    # The same solid written as yaw + pi, or with l/w swapped and yaw + pi/2, gets the same label.
    flipped = boxes.copy()
    flipped[:, 6] += math.pi
    swapped = boxes[:, [0, 1, 2, 4, 3, 5, 6]].copy()
    swapped[:, 6] -= 0.5 * math.pi
    for other in (flipped, swapped):
        np.testing.assert_allclose(canonical_boxes(other), canon, atol=1e-9)
    np.testing.assert_allclose(canonical_boxes(canon), canon, atol=1e-12)


def test_a_cuboid_turned_by_pi_renders_the_same_points_so_only_the_canonical_yaw_is_observable():
    car = [12.0, 5.0, 0.75, 4.5, 1.9, 1.5, 0.3]
    turned = car[:6] + [car[6] + math.pi]
    spec = SceneSpec(seed=3, boxes=np.array([car]), semantic=np.array([1]))
    a = render_scene(spec).points
    b = render_scene(SceneSpec(seed=3, boxes=np.array([turned]), semantic=np.array([1]))).points
    assert len(a) == len(b) > 1000
    np.testing.assert_allclose(a, b, atol=0.0021)  # one point quantum
    np.testing.assert_allclose(canonical_boxes(np.array([turned])), canonical_boxes(np.array([car])), atol=1e-9)


def test_sampled_scenes_hold_canonical_boxes_and_stay_deterministic():
    for seed in range(20):
        spec = sample_scene(seed)
        assert np.all(spec.boxes[:, 3] >= spec.boxes[:, 4]), seed
        assert np.all((spec.boxes[:, 6] >= -0.7854) & (spec.boxes[:, 6] <= 2.3562)), seed
        np.testing.assert_allclose(canonical_boxes(spec.boxes), spec.boxes, atol=1e-4)
    assert points_digest(render_scene(sample_scene(7)).points) == points_digest(render_scene(sample_scene(7)).points)


@pytest.fixture(scope="module")
def head():
    import mmdet.models  # noqa: F401  registers mmdet modules
    import mmdet3d.models  # noqa: F401  registers mmdet3d modules
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    init_default_scope("mmdet3d")
    cfg = Config.fromfile(CONFIG)
    return MODELS.build(cfg.model).pts_bbox_head, cfg.model.train_cfg.pts


def test_centerhead_targets_decode_back_to_the_generated_boxes(head):
    from mmdet3d.structures import LiDARInstance3DBoxes
    from mmengine.structures import InstanceData

    bbox_head, train_cfg = head
    frame = render_scene(sample_scene(11))
    boxes, labels = frame.gt_boxes, frame.gt_labels
    assert len(boxes) >= 5
    gt = InstanceData()
    box9 = np.concatenate([boxes, np.zeros((len(boxes), 2), np.float32)], axis=1)
    gt.bboxes_3d = LiDARInstance3DBoxes(torch.from_numpy(box9), box_dim=9, origin=(0.5, 0.5, 0.5))
    gt.labels_3d = torch.from_numpy(labels)
    _, anno, inds, masks = bbox_head.get_targets([gt])
    mask = masks[0][0].bool()
    target, index = anno[0][0][mask].numpy(), inds[0][0][mask].numpy()
    stride = train_cfg.out_size_factor
    width = train_cfg.grid_size[0] // stride
    vx, vy = train_cfg.voxel_size[:2]
    x0, y0 = train_cfg.point_cloud_range[:2]
    x = (index % width + target[:, 0]) * stride * vx + x0
    y = (index // width + target[:, 1]) * stride * vy + y0
    dims = np.exp(target[:, 3:6])
    yaw = np.arctan2(target[:, 6], target[:, 7])
    assert len(x) == len(boxes)
    for k in range(len(x)):
        j = int(np.argmin(np.hypot(boxes[:, 0] - x[k], boxes[:, 1] - y[k])))
        assert math.hypot(boxes[j, 0] - x[k], boxes[j, 1] - y[k]) < 1e-3
        np.testing.assert_allclose(dims[k], boxes[j, 3:6], atol=1e-3)
        assert abs(math.remainder(yaw[k] - boxes[j, 6], 2 * math.pi)) < 1e-3
        assert abs(target[k, 2] - boxes[j, 2]) < 1e-3  # the head's height is the gravity-centre z
