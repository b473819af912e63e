"""Synthetic LiDAR scenes: determinism, geometry (points on boxes or ground), occlusion, labels, JSON round trip."""

import json
import math

import numpy as np
import pytest

from awml_deploy.core.errors import DeployError
from awml_deploy.datasets.synthetic_lidar import (
    CLASSES,
    SEM_GROUND,
    SEM_OTHER,
    SceneSpec,
    SensorSpec,
    points_digest,
    render_scene,
    sample_scene,
)

# Range noise is at most ~4 sigma of (0.01 + 0.0005 * 60) m along the ray, plus the 2 mm quantum.
_MARGIN = 0.2


def _car(x, y, yaw=0.0, length=4.5, w=1.9, h=1.5):
    return [x, y, 0.5 * h, length, w, h, yaw]


def test_same_seed_same_cloud_and_different_seed_different_cloud():
    a, b = render_scene(sample_scene(7)), render_scene(sample_scene(7))
    assert points_digest(a.points) == points_digest(b.points)
    np.testing.assert_array_equal(a.semantic, b.semantic)
    np.testing.assert_array_equal(a.gt_boxes, b.gt_boxes)
    c = render_scene(sample_scene(8))
    assert points_digest(c.points) != points_digest(a.points)


def test_frame_shapes_point_count_and_classes():
    for seed in range(3):
        spec = sample_scene(seed)
        frame = render_scene(spec)
        assert frame.points.dtype == np.float32 and frame.points.shape[1] == 4
        assert 10_000 <= len(frame.points) <= 25_000, len(frame.points)
        assert frame.semantic.shape == (len(frame.points),)
        assert np.all((frame.points[:, 3] >= 0) & (frame.points[:, 3] <= 1))
        assert (frame.gt_labels == 0).sum() >= 1  # there is always at least one car
        assert frame.gt_labels.max() < len(CLASSES)
        # Objects stand on the ground: gravity-centre z = h / 2.
        np.testing.assert_allclose(frame.gt_boxes[:, 2], frame.gt_boxes[:, 5] / 2, atol=1e-4)
        # Distractors are in the scene but never in the ground truth.
        assert len(frame.gt_boxes) == int(spec.gt_mask().sum()) < len(spec.boxes) + 1


def test_points_lie_on_their_box_or_on_the_ground():
    spec = sample_scene(3)
    frame = render_scene(spec)
    pts = frame.points[:, :3].astype(np.float64)
    ground = frame.box_index < 0
    assert np.all(frame.semantic[ground] == SEM_GROUND)
    assert np.abs(pts[ground, 2]).max() < _MARGIN
    idx = frame.box_index[~ground]
    box = spec.boxes[idx]
    rel = pts[~ground] - box[:, :3]
    cos, sin = np.cos(box[:, 6]), np.sin(box[:, 6])
    local = np.stack([cos * rel[:, 0] + sin * rel[:, 1], -sin * rel[:, 0] + cos * rel[:, 1], rel[:, 2]], axis=1)
    assert np.all(np.abs(local) <= 0.5 * box[:, 3:6] + _MARGIN)
    # Each object point sits near the surface (not deep inside the box): distance to the nearest face is small.
    depth = np.min(0.5 * box[:, 3:6] - np.abs(local), axis=1)
    assert np.all(depth < _MARGIN)
    np.testing.assert_array_equal(frame.semantic[~ground], spec.semantic[idx])


def test_a_box_hidden_behind_a_wall_gets_no_points():
    behind = _car(20.0, 0.0)
    wall = [10.0, 0.0, 1.5, 2.0, 4.0, 3.0, 0.0]
    alone = SceneSpec(seed=1, boxes=np.array([behind]), semantic=np.array([1]))
    occluded = SceneSpec(seed=1, boxes=np.array([behind, wall]), semantic=np.array([1, SEM_OTHER]))
    n_alone = render_scene(alone).gt_num_points[0]
    frame = render_scene(occluded)
    assert n_alone > 30
    assert frame.gt_num_points[0] == 0
    assert (frame.box_index == 1).sum() > 100  # the wall itself is hit


def test_partial_occlusion_reduces_points_and_nearer_objects_get_more_points():
    far = _car(30.0, 0.0)
    half_blocker = [15.0, 0.8, 1.0, 1.0, 1.0, 2.0, 0.0]
    n_far = render_scene(SceneSpec(2, np.array([far]), np.array([1]))).gt_num_points[0]
    n_partial = render_scene(SceneSpec(2, np.array([far, half_blocker]), np.array([1, SEM_OTHER]))).gt_num_points[0]
    n_near = render_scene(SceneSpec(2, np.array([_car(10.0, 0.0)]), np.array([1]))).gt_num_points[0]
    assert 0 < n_partial < n_far < n_near


def test_rotated_box_points_follow_the_yaw():
    # A bus ahead at 20 m: turned by 90 degrees the sensor sees its long side (x = 18.7, spread along y);
    # unturned it sees its rear end (x = 14, at most 2.6 m wide).
    side = render_scene(SceneSpec(3, np.array([[20.0, 0.0, 1.6, 12.0, 2.6, 3.2, math.pi / 2]]), np.array([3])))
    end = render_scene(SceneSpec(3, np.array([[20.0, 0.0, 1.6, 12.0, 2.6, 3.2, 0.0]]), np.array([3])))
    side_pts, end_pts = side.points[side.box_index == 0], end.points[end.box_index == 0]
    assert np.ptp(side_pts[:, 1]) > 10.0 and np.abs(side_pts[:, 0] - 18.7).max() < _MARGIN
    assert np.ptp(end_pts[:, 1]) < 2.6 + _MARGIN and np.abs(end_pts[:, 0] - 14.0).max() < _MARGIN


def test_empty_scene_is_only_ground_and_spec_json_round_trip():
    frame = render_scene(SceneSpec(4, np.zeros((0, 7)), np.zeros(0, np.int64)))
    assert len(frame.points) > 5000 and np.all(frame.semantic == SEM_GROUND) and len(frame.gt_boxes) == 0
    spec = sample_scene(11, SensorSpec(azimuth_steps=360))
    again = SceneSpec.from_json(json.loads(json.dumps(spec.to_json())))
    np.testing.assert_array_equal(again.boxes, spec.boxes)
    assert again.sensor == spec.sensor
    assert points_digest(render_scene(again).points) == points_digest(render_scene(spec).points)


def test_spec_json_errors_are_one_line():
    with pytest.raises(DeployError, match="missing keys"):
        SceneSpec.from_json({"seed": 1})
    with pytest.raises(DeployError, match="length mismatch"):
        SceneSpec.from_json({"seed": 1, "boxes": [_car(5, 5)], "semantic": [1, 2]})
    with pytest.raises(DeployError, match="bad sensor fields"):
        SceneSpec.from_json({"seed": 1, "boxes": [], "semantic": [], "sensor": {"beams": 3}})


def test_azimuth_culled_casting_equals_brute_force_bit_for_bit():
    from awml_deploy.datasets import synthetic_lidar as sl

    for seed in (0, 5):
        spec = sample_scene(seed)
        # A box right next to the sensor (no narrow azimuth window) and one straddling the +x axis (wrap-around).
        boxes = np.concatenate(
            [spec.boxes, [[0.0, 2.6, 1.0, 3.0, 2.0, 2.0, 0.3], [25.0, 0.0, 0.8, 4.5, 1.9, 1.6, 1.0]]]
        )
        dirs = spec.sensor.ray_directions()
        origin = np.array([0.0, 0.0, spec.sensor.height])
        t_all, cos_all = sl._ray_box_hits(origin, dirs, boxes, np.cos(boxes[:, 6]), np.sin(boxes[:, 6]))
        nearest = t_all.argmin(axis=1)
        rows = np.arange(len(dirs))
        t, index, cos_inc = sl._cast_boxes(origin, dirs, boxes, spec.sensor.azimuth_steps)
        np.testing.assert_array_equal(t, t_all[rows, nearest])
        hit = np.isfinite(t)
        assert hit.sum() > 1000
        np.testing.assert_array_equal(index[hit], nearest[hit])
        np.testing.assert_array_equal(cos_inc[hit], cos_all[rows, nearest][hit])
