"""The CPU kernels against the upstream references on random inputs: mmcv Voxelization (deterministic),
mmdet3d PillarFeatureNet decoration, PointPillarsScatter, CenterPointBBoxCoder.decode and circle_nms."""

from __future__ import annotations

import numpy as np
import pytest

from awml_deploy import kernels

torch = pytest.importorskip("torch")
mmcv_ops = pytest.importorskip("mmcv.ops")
mmdet3d_models = pytest.importorskip("mmdet3d.models")

RANGE = [-20.0, -20.0, -3.0, 20.0, 20.0, 1.0]
VOXEL = [0.4, 0.4, 4.0]


def _cloud(rng: np.random.Generator, n: int, f: int) -> np.ndarray:
    pts = np.empty((n, f), dtype=np.float32)
    pts[:, 0:2] = rng.uniform(-22.0, 22.0, size=(n, 2))
    pts[:, 2] = rng.uniform(-3.5, 1.5, size=n)
    pts[:, 3:] = rng.uniform(0.0, 1.0, size=(n, f - 3))
    dense = rng.integers(0, n, size=n // 3)  # pile a third of the points into a few pillars
    pts[dense, 0:2] = rng.normal(0.0, 0.5, size=(dense.size, 2)) + rng.choice([-5.0, 3.0, 11.0], size=(dense.size, 1))
    return pts


@pytest.mark.parametrize("seed", range(6))
def test_voxelize_matches_mmcv_deterministic(seed: int) -> None:
    rng = np.random.default_rng(seed)
    f = 4 + seed % 2
    max_points, max_voxels = [5, 10, 32][seed % 3], [300, 5000][seed % 2]
    pts = _cloud(rng, int(rng.integers(1000, 20000)), f)
    ref = mmcv_ops.Voxelization(VOXEL, RANGE, max_points, max_voxels, deterministic=True)
    voxels, coors, num = (t.numpy() for t in ref(torch.from_numpy(pts)))
    got = kernels.voxelize(
        pts, point_cloud_range=RANGE, voxel_size=VOXEL, max_points_per_pillar=max_points, max_pillars=max_voxels
    )
    np.testing.assert_array_equal(got.pillar_points, voxels)
    np.testing.assert_array_equal(got.coords, coors)
    np.testing.assert_array_equal(got.points_per_pillar, num)
    assert got.counters["pillar_count"] == voxels.shape[0]


def _pfn(f: int) -> torch.nn.Module:
    class Capture(torch.nn.Module):
        def forward(self, x: torch.Tensor, *_: object) -> torch.Tensor:
            return x

    net = mmdet3d_models.voxel_encoders.PillarFeatureNet(
        in_channels=f, feat_channels=(64,), voxel_size=VOXEL, point_cloud_range=RANGE, legacy=False
    )
    net.pfn_layers = torch.nn.ModuleList([Capture()])  # keep only the decoration
    return net.eval()


@pytest.mark.parametrize(("f", "center_z"), [(4, False), (4, True), (5, True)])
def test_pillar_features_match_mmdet3d_decoration(f: int, center_z: bool) -> None:
    rng = np.random.default_rng(f * 10 + center_z)
    pts = _cloud(rng, 15000, f)
    p = kernels.voxelize(pts, point_cloud_range=RANGE, voxel_size=VOXEL, max_points_per_pillar=32, max_pillars=8000)
    got = kernels.pillar_features(
        p.pillar_points,
        p.points_per_pillar,
        p.coords,
        point_cloud_range=RANGE,
        voxel_size=VOXEL,
        use_voxel_center_z=center_z,
    )
    coors = np.concatenate([np.zeros((len(p.coords), 1), np.int32), p.coords], axis=1)
    with torch.no_grad():
        ref = _pfn(f)(torch.from_numpy(p.pillar_points), torch.from_numpy(p.points_per_pillar), torch.from_numpy(coors))
    ref = ref.numpy()
    if not center_z:
        ref = np.delete(ref, f + 5, axis=2)  # Autoware's 9 features drop z - zc
    assert got.shape == ref.shape == (len(p.coords), 32, f + (6 if center_z else 5))
    np.testing.assert_array_equal(got[..., :f], ref[..., :f])
    np.testing.assert_allclose(got, ref, rtol=0.0, atol=1e-6 * max(1.0, float(np.abs(pts[:, :3]).max())))


def test_scatter_matches_point_pillars_scatter() -> None:
    rng = np.random.default_rng(3)
    p = kernels.voxelize(_cloud(rng, 20000, 4), point_cloud_range=RANGE, voxel_size=VOXEL, max_pillars=6000)
    feats = rng.normal(size=(len(p.coords), 32)).astype(np.float32)
    got = kernels.scatter(feats, p.coords, grid_shape=(100, 100))
    coors = np.concatenate([np.zeros((len(p.coords), 1), np.int32), p.coords], axis=1)
    ref = mmdet3d_models.middle_encoders.PointPillarsScatter(in_channels=32, output_shape=[100, 100])
    with torch.no_grad():
        want = ref(torch.from_numpy(feats), torch.from_numpy(coors), batch_size=1).numpy()
    np.testing.assert_array_equal(got, want)


def _heads(rng: np.random.Generator, c: int, h: int, w: int) -> dict[str, np.ndarray]:
    heat = rng.normal(-6.0, 1.5, size=(c, h, w)).astype(np.float32)
    for _ in range(60):
        heat[rng.integers(c), rng.integers(h), rng.integers(w)] = rng.uniform(-1.0, 3.0)
    return {
        "heatmap": heat,
        "reg": rng.uniform(0, 1, size=(2, h, w)).astype(np.float32),
        "height": rng.normal(0, 1, size=(1, h, w)).astype(np.float32),
        "dim": rng.normal(0, 0.5, size=(3, h, w)).astype(np.float32),
        "rot": rng.normal(0, 1, size=(2, h, w)).astype(np.float32),
        "vel": rng.normal(0, 1, size=(2, h, w)).astype(np.float32),
    }


@pytest.mark.parametrize("seed", range(4))
def test_decode_matches_centerpoint_bbox_coder(seed: int) -> None:
    from mmdet3d.models.task_modules.coders.centerpoint_bbox_coders import CenterPointBBoxCoder

    rng = np.random.default_rng(seed)
    hd = _heads(rng, 5, 64, 80)
    pc_range, voxel, center = [-32.0, -25.6], [0.2, 0.2], [-30.0, -24.0, -3.0, 30.0, 24.0, 3.0]
    coder = CenterPointBBoxCoder(
        pc_range=pc_range,
        out_size_factor=4,
        voxel_size=voxel,
        post_center_range=center,
        max_num=50,
        score_threshold=0.1,
        code_size=9,
    )
    t = {k: torch.from_numpy(v)[None] for k, v in hd.items()}
    ref = coder.decode(
        t["heatmap"].sigmoid(), t["rot"][:, 0:1], t["rot"][:, 1:2], t["height"], t["dim"].exp(), t["vel"], t["reg"]
    )[0]
    boxes, dropped = kernels.decode(
        *hd.values(),
        voxel_size=voxel,
        point_cloud_range=pc_range + [0, 0, 0, 0],
        out_size_factor=4,
        score_threshold=0.1,
        top_k=50,
        center_range=center,
    )
    assert dropped == 0
    assert len(boxes) == len(ref["scores"]) > 10
    np.testing.assert_array_equal(boxes[:, 10], ref["labels"].numpy())
    np.testing.assert_allclose(boxes[:, 9], ref["scores"].numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(boxes[:, :9], ref["bboxes"].numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_circle_nms_matches_mmdet3d(seed: int) -> None:
    from mmdet3d.models.layers import circle_nms as ref_circle_nms

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 600))
    boxes = np.zeros((n, 11), np.float32)
    boxes[:, 0:2] = rng.uniform(0, 15, size=(n, 2))
    boxes[:, 9] = rng.uniform(0, 1, size=n)
    boxes[:, 10] = rng.integers(0, 3, size=n)
    thresh, post_max = [0.25, 1.0, 4.0][seed % 3], [83, 500][seed % 2]
    keep = ref_circle_nms(boxes[:, [0, 1, 9]].copy(), thresh, post_max)
    got = kernels.circle_nms(boxes, squared_radius=thresh, inclusive=True, max_output=post_max)
    np.testing.assert_array_equal(got, boxes[np.asarray(keep, dtype=np.int64)])
    # Per class = mmdet3d run per label, merged by score.
    per = [
        np.asarray(ref_circle_nms(boxes[boxes[:, 10] == c][:, [0, 1, 9]].copy(), thresh, n), np.int64) for c in range(3)
    ]
    merged = np.concatenate([boxes[boxes[:, 10] == c][k] for c, k in enumerate(per)])
    merged = merged[np.argsort(-merged[:, 9], kind="stable")]
    np.testing.assert_array_equal(
        kernels.circle_nms(boxes, squared_radius=thresh, inclusive=True, per_class=True), merged
    )
