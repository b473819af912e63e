"""Pillar encoders AWML's configs use: mmdet3d's PillarFeatureNet (x, y, z centre offsets) and AWML's
BackwardPillarFeatureNet (x, y only: Autoware's 9 features for 4 point features); the kernels follow the config;
any other encoder, or settings the kernels do not implement, are one-line errors."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from awml_deploy.core.errors import DeployError
from projects.centerpoint.model import DEFAULT_MODEL_CONFIG, geometry_from_config, load_model_config
from projects.centerpoint.preprocess import decorate, voxelize_points

pytest.importorskip("mmengine")


@pytest.fixture(scope="module")
def cfg() -> dict:
    return load_model_config(DEFAULT_MODEL_CONFIG).to_dict()


def _with_encoder(cfg: dict, **changes) -> dict:
    out = copy.deepcopy(cfg)
    out["model"]["pts_voxel_encoder"].update(changes)
    return out


def test_backward_pillar_feature_net_has_no_z_centre(cfg) -> None:
    plain = geometry_from_config(cfg)
    backward = geometry_from_config(_with_encoder(cfg, type="BackwardPillarFeatureNet"))
    assert (plain.encoder_features, plain.use_voxel_center_z) == (10, True)
    assert (backward.encoder_features, backward.use_voxel_center_z) == (9, False)  # Autoware's 9 features


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"type": "HardVFE"}, r"pts_voxel_encoder\.type \| unsupported encoder.*PillarFeatureNet\|BackwardPillar"),
        ({"legacy": True}, r"pts_voxel_encoder\.legacy \| unsupported by the kernels"),
        ({"mode": "avg"}, r"pts_voxel_encoder\.mode \| unsupported by the kernels"),
        ({"with_distance": True}, r"pts_voxel_encoder\.with_distance"),
    ],
)
def test_other_encoders_are_one_line_errors(cfg, changes, match) -> None:
    with pytest.raises(DeployError, match=match):
        geometry_from_config(_with_encoder(cfg, **changes))


def test_kernel_decoration_without_z_centre_matches_mmdet3d(cfg) -> None:
    """The kernel's 9-feature decoration is mmdet3d's PillarFeatureNet decoration (legacy=False) without the
    z - z_centre column, which is what BackwardPillarFeatureNet computes (AWML source: same x/y formulas)."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("mmdet3d")
    import mmdet3d.models  # noqa: F401
    from mmdet3d.registry import MODELS
    from mmengine.registry import init_default_scope

    init_default_scope("mmdet3d")
    geometry = geometry_from_config(_with_encoder(cfg, type="BackwardPillarFeatureNet"))
    encoder = MODELS.build(copy.deepcopy(cfg["model"]["pts_voxel_encoder"])).eval()
    rng = np.random.default_rng(3)
    points = np.concatenate(
        [rng.uniform(-40, 40, (3000, 2)), rng.uniform(-1.5, 3.5, (3000, 1)), rng.uniform(0, 1, (3000, 1))], 1
    ).astype(np.float32)
    pillars = voxelize_points(points, geometry)
    ours = decorate(points, geometry).features
    captured = {}
    encoder.pfn_layers[0].register_forward_pre_hook(lambda module, args: captured.setdefault("x", args[0]))
    coors = torch.from_numpy(np.pad(pillars.coords, ((0, 0), (1, 0))).astype(np.int32))
    with torch.no_grad():
        encoder(
            torch.from_numpy(pillars.pillar_points),
            torch.from_numpy(pillars.points_per_pillar.astype(np.int32)),
            coors,
        )
    theirs = captured["x"].numpy()
    keep = [i for i in range(theirs.shape[-1]) if i != 9]  # 4 point features + 3 cluster + (x, y, z) centre
    assert ours.shape[-1] == 9
    np.testing.assert_allclose(ours, theirs[..., keep], rtol=0, atol=2e-6)
