"""Matching values: IoU BEV/3D on rotated boxes, plane distance with corner alignment, clipping vs shapely."""

import math

import numpy as np
import pytest
from metrics_cases import box, close, frame, settings

from awml_deploy.metrics import evaluate_detection3d, geometry

OCTAGON = 8.0 * (math.sqrt(2.0) - 1.0)  # 2x2 square intersected with itself rotated by 45 degrees


def values(mode, pred, gt):
    """The matching value of one pair, from the geometry functions the engine uses."""
    from awml_deploy.metrics.schema import parse_boxes_3d

    g, p, _ = parse_boxes_3d([frame(gt=[gt], pred=[pred])], ["car"])
    if mode == "center_distance_3d":
        return geometry.center_distance_3d(p.center, g.center)[0]
    if mode == "center_distance_bev":
        return geometry.center_distance_bev(p.center, g.center)[0]
    if mode == "plane_distance":
        est = geometry.angle_sorted_corners(geometry.footprint_corners(p.center, p.size, p.yaw), p.center[:, :2])
        return geometry.plane_distance(est, geometry.footprint_corners(g.center, g.size, g.yaw))[0]
    iou = geometry.iou_bev if mode == "iou_bev" else geometry.iou_3d
    return iou(p.center, p.size, p.yaw, g.center, g.size, g.yaw)[0]


@pytest.mark.parametrize(
    ("pred", "gt", "iou_bev", "iou_3d"),
    [
        # Same 2x2x2 box rotated by 45 degrees: regular octagon; IoU BEV = 1/sqrt(2).
        (
            box("car", 0, size=(2, 2, 2), yaw=math.pi / 4, score=1),
            box("car", 0, size=(2, 2, 2)),
            1 / math.sqrt(2),
            OCTAGON * 2 / (16 - OCTAGON * 2),
        ),
        # Same, the prediction lifted by 1 m: half the height overlaps.
        (
            box("car", 0, z=1.0, size=(2, 2, 2), yaw=math.pi / 4, score=1),
            box("car", 0, size=(2, 2, 2)),
            1 / math.sqrt(2),
            OCTAGON / (16 - OCTAGON),
        ),
        # 4x2 box vs the same rotated by 90 degrees: intersection 2x2 = 4, union 12.
        (box("car", 0, size=(4, 2, 1), yaw=math.pi / 2, score=1), box("car", 0, size=(4, 2, 1)), 4 / 12, 4 / 12),
        # Shifted by half its length along its rotated heading (yaw = pi/3): intersection 2x2.
        (
            box("car", 2 * math.cos(math.pi / 3), 2 * math.sin(math.pi / 3), size=(4, 2, 1), yaw=math.pi / 3, score=1),
            box("car", 0, size=(4, 2, 1), yaw=math.pi / 3),
            4 / 12,
            4 / 12,
        ),
        # Disjoint boxes.
        (box("car", 10, size=(4, 2, 1), yaw=0.3, score=1), box("car", 0, size=(4, 2, 1)), 0.0, 0.0),
        # Identical boxes and a box fully inside another (different heights).
        (box("car", 1, 2, size=(4, 2, 1), yaw=2.0, score=1), box("car", 1, 2, size=(4, 2, 1), yaw=2.0), 1.0, 1.0),
        (box("car", 0, size=(2, 1, 1), yaw=0.5, score=1), box("car", 0, size=(4, 2, 2), yaw=0.5), 2 / 8, 2 / 16),
    ],
)
def test_iou_on_rotated_boxes(pred, gt, iou_bev, iou_3d):
    assert close(values("iou_bev", pred, gt), iou_bev, 1e-12)
    assert close(values("iou_3d", pred, gt), iou_3d, 1e-12)


def test_touching_and_degenerate_boxes():
    # Side by side, sharing an edge: zero area; a zero-length box inside another: zero area, IoU 0.
    assert values("iou_bev", box("car", 0, 2.0, size=(4, 2, 1), score=1), box("car", 0, size=(4, 2, 1))) == 0.0
    assert values("iou_bev", box("car", 0, size=(0, 1, 1), score=1), box("car", 0, size=(4, 2, 1))) == 0.0
    assert values("iou_3d", box("car", 0, size=(0, 0, 0), score=1), box("car", 0, size=(0, 0, 0))) == 0.0
    # Collinear shared edges running the same way: overlap 2 x 2 of two 4 x 2 boxes -> 4 / 12.
    assert close(values("iou_bev", box("car", 2.0, size=(4, 2, 1), score=1), box("car", 0, size=(4, 2, 1))), 4 / 12)


def test_center_distances():
    pred, gt = box("car", 3.0, 4.0, 12.0, score=1), box("car", 0.0)
    assert values("center_distance_3d", pred, gt) == 13.0
    assert values("center_distance_bev", pred, gt) == 5.0


def test_plane_distance_uses_the_two_gt_corners_nearest_the_ego():
    gt = box("car", 10.0, size=(4.0, 2.0, 1.0))  # corners (12, 1), (8, 1), (8, -1), (12, -1); nearest: x = 8
    # 4.4 m long, same centre: its rear corners are 0.2 m behind the GT's -> PD 0.2 (front corners ignored).
    assert values("plane_distance", box("car", 10.0, size=(4.4, 2.0, 1.0), score=1), gt) == 0.2
    # Shifted by 0.3 m along x: every corner 0.3 m off -> 0.3.
    assert values("plane_distance", box("car", 10.3, size=(4.0, 2.0, 1.0), score=1), gt) == 0.3


def test_plane_distance_aligns_corners_whatever_the_predicted_heading():
    gt = box("car", 10.0, size=(4.0, 2.0, 1.0))
    # The same footprint described as reversed (yaw pi) or as a 2 x 4.4 box turned by 90 degrees: corner sorting
    # and cyclic alignment make the value identical to the plain description.
    for pred in (
        box("car", 10.0, size=(4.4, 2.0, 1.0), yaw=math.pi, score=1),
        box("car", 10.0, size=(2.0, 4.4, 1.0), yaw=math.pi / 2, score=1),
        box("car", 10.0, size=(2.0, 4.4, 1.0), yaw=-math.pi / 2, score=1),
    ):
        assert values("plane_distance", pred, gt) == 0.2
    # Side-by-side boxes (left of the ego at y = 10, heading along x): nearest GT corners are the y = 9 ones.
    side_gt = box("car", 0.0, 10.0, size=(4.0, 2.0, 1.0))
    pred = box("car", 0.0, 10.5, size=(4.0, 2.0, 1.0), yaw=math.pi, score=1)
    assert values("plane_distance", pred, side_gt) == 0.5


def test_plane_distance_is_rounded_to_ten_decimals():
    gt = box("car", 10.0, size=(4.0, 2.0, 1.0))
    value = values("plane_distance", box("car", 10.0 + 1 / 3, size=(4.0, 2.0, 1.0), score=1), gt)
    assert value == round(1 / 3, 10)


def test_plane_distance_matching_in_evaluation():
    frames = [frame(gt=[box("car", 10.0)], pred=[box("car", 10.0, size=(4.4, 2.0, 1.5), yaw=math.pi, score=0.9)])]
    r = evaluate_detection3d(frames, settings({"plane_distance": [0.2, 0.3]})).modes["plane_distance"].per_label["car"]
    assert r.num_tp == (0, 1)  # PD = 0.2 exactly: strict < fails at 0.2


def test_clipping_matches_shapely_on_random_boxes():
    shapely = pytest.importorskip("shapely")
    rng = np.random.default_rng(7)
    k = 3000
    c1 = rng.uniform(-3, 3, (k, 3))
    s1 = rng.uniform(0.1, 5, (k, 3))
    y1 = rng.uniform(-4, 4, k)
    c2 = c1 + rng.normal(0, 1, (k, 3))
    s2 = s1 * rng.uniform(0.5, 1.5, (k, 3))
    y2 = y1 + rng.normal(0, 0.5, k)
    c2[:300], s2[:300], y2[:300] = c1[:300], s1[:300], y1[:300]  # identical
    y1[300:600], y2[300:600] = 0.0, np.pi / 2  # axis-aligned, touching edges
    c2[600:900], s2[600:900], y2[600:900] = c1[600:900], s1[600:900] * 0.5, y1[600:900]  # nested
    ours = geometry.bev_intersection(c1, s1, y1, c2, s2, y2)
    poly_a = shapely.polygons(geometry.footprint_corners(c1, s1, y1))
    poly_b = shapely.polygons(geometry.footprint_corners(c2, s2, y2))
    ref = shapely.area(shapely.intersection(poly_a, poly_b))
    assert np.max(np.abs(ours - ref)) < 1e-9
    assert (ref > 0).sum() > 1000


def test_iou_2d_axis_aligned():
    pred = np.array([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 10.0], [20.0, 20.0, 30.0, 30.0], [0.0, 0.0, 0.0, 0.0]])
    gt = np.array([[5.0, 0.0, 15.0, 10.0], [0.0, 0.0, 10.0, 5.0], [0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 0.0, 0.0]])
    assert geometry.iou_2d(pred, gt).tolist() == [50 / 150, 0.5, 0.0, 0.0]
