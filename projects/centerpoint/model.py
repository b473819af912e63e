"""CenterPoint (pillars) from an mmdet3d config: model geometry, build, and checkpoint loading.

Checkpoints are loaded weights-only (``torch.load(weights_only=True)``) by default: a plain ``state_dict`` or an
mmengine checkpoint (``{"state_dict": ..., "meta": ...}``) whose ``meta`` holds only plain types loads this way.
A checkpoint that needs the full pickle (``meta`` with arbitrary Python objects, as some mmengine versions write)
loads only when the config says ``project.trust_checkpoint=True``: unpickling runs code from the file, so do that
only for a file you trust.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping
from typing import Any

from awml_deploy.core.checkpoint import read_state_dict
from awml_deploy.core.errors import expected, fail

PROJECT_DIR = pathlib.Path(__file__).resolve().parent
REPO_ROOT = PROJECT_DIR.parents[1]
DEFAULT_MODEL_CONFIG = "projects/centerpoint/configs/centerpoint_tiny_synthetic.py"
# Pillar encoders the kernels decorate for -> voxel-centre offsets they add: mmdet3d's PillarFeatureNet adds
# x, y, z - centre; AWML's BackwardPillarFeatureNet (Autoware's 9 features for 4 point features) only x, y.
ENCODERS = {"PillarFeatureNet": 3, "BackwardPillarFeatureNet": 2}


def resolve_path(path: str) -> str:
    """A path as given when it exists from the current directory, else relative to the repository root.

    Args:
        path (str): File or folder path.

    Returns:
        str: The path to use (unchanged when neither exists; the caller reports it).
    """
    candidate = pathlib.Path(path)
    if candidate.is_absolute() or candidate.exists():
        return str(candidate)
    rooted = REPO_ROOT / candidate
    return str(rooted) if rooted.exists() else str(candidate)


@dataclasses.dataclass(frozen=True)
class CenterPointGeometry:
    """Everything the export, kernels and ROS parameters need, read from the mmdet3d model config.

    Attributes:
        class_names: Detection classes in head order.
        point_cloud_range: x_min, y_min, z_min, x_max, y_max, z_max.
        voxel_size: vx, vy, vz.
        grid: (H, W) of the BEV canvas.
        max_points_per_pillar: Points kept per pillar.
        max_pillars: Pillars kept per frame (test-time value).
        point_features: Point features used (x, y, z, intensity, ...).
        encoder_features: Input features per point after decoration (F of input_features).
        encoder_channels: Output channels of the pillar encoder (C).
        use_voxel_center_z: Whether decoration has the z - z_centre feature.
        out_size_factor: Head stride in voxels.
        test_cfg: ``model.test_cfg.pts`` as a dict.
        post_center_range: Decoded box centres are kept inside this (x, y, z min then max).
        score_threshold: Decoder score threshold (strict).
        top_k: Decoder candidates kept (mmdet3d ``bbox_coder.max_num``).
    """

    class_names: tuple[str, ...]
    point_cloud_range: tuple[float, ...]
    voxel_size: tuple[float, ...]
    grid: tuple[int, int]
    max_points_per_pillar: int
    max_pillars: int
    point_features: int
    encoder_features: int
    encoder_channels: int
    use_voxel_center_z: bool
    out_size_factor: int
    test_cfg: Mapping[str, Any]
    post_center_range: tuple[float, ...]
    score_threshold: float
    top_k: int

    @property
    def head_grid(self) -> tuple[int, int]:
        """tuple[int, int]: (H, W) of the head maps."""
        return (self.grid[0] // self.out_size_factor, self.grid[1] // self.out_size_factor)


def _get(cfg: Mapping, dotted: str) -> Any:
    node: Any = cfg
    for key in dotted.split("."):
        if not isinstance(node, Mapping) or key not in node:
            fail(f"model config | missing key {dotted}. Note: expected an mmdet3d pillar CenterPoint config")
        node = node[key]
    return node


def geometry_from_config(cfg: Mapping) -> CenterPointGeometry:
    """Reads the geometry of a pillar CenterPoint config (PillarFeatureNet, PointPillarsScatter, one-task CenterHead).

    Args:
        cfg (Mapping): The mmengine config (or its dict).

    Returns:
        CenterPointGeometry: The geometry.
    """
    cfg = cfg.to_dict() if hasattr(cfg, "to_dict") else cfg
    model = _get(cfg, "model")
    encoder = _get(model, "pts_voxel_encoder")
    kind = str(encoder.get("type", "")).rsplit(".", 1)[-1]
    if kind not in ENCODERS:
        expected("model.pts_voxel_encoder.type", "unsupported encoder", "one of " + "|".join(ENCODERS), kind)
    if encoder.get("with_distance", False):
        expected("model.pts_voxel_encoder.with_distance", "unsupported by the kernels", False, True)
    if encoder.get("legacy", True):  # mmdet3d's legacy path overwrites x, y with the centre offsets in place
        expected("model.pts_voxel_encoder.legacy", "unsupported by the kernels", False, encoder.get("legacy", True))
    if encoder.get("mode", "max") != "max":
        expected("model.pts_voxel_encoder.mode", "unsupported by the kernels", "max", encoder.get("mode"))
    layer = _get(model, "data_preprocessor.voxel_layer")
    tasks = _get(model, "pts_bbox_head.tasks")
    if len(tasks) != 1:
        expected("model.pts_bbox_head.tasks", "Autoware's contract has one task head", "1 task", len(tasks))
    in_channels = int(encoder.get("in_channels", 4))
    cluster = 3 if encoder.get("with_cluster_center", True) else 0
    center = ENCODERS[kind] if encoder.get("with_voxel_center", True) else 0
    if cluster != 3 or center != ENCODERS[kind]:
        expected("model.pts_voxel_encoder", "decoration must have cluster and voxel centres", "both true", encoder)
    max_voxels = layer["max_voxels"]
    max_voxels = max_voxels[-1] if isinstance(max_voxels, (list, tuple)) else max_voxels
    output_shape = _get(model, "pts_middle_encoder.output_shape")
    test_cfg = dict(_get(model, "test_cfg.pts"))
    coder = _get(model, "pts_bbox_head.bbox_coder")
    if test_cfg.get("nms_type", "circle") != "circle":
        expected("model.test_cfg.pts.nms_type", "unsupported by the kernels", "circle", test_cfg.get("nms_type"))
    return CenterPointGeometry(
        class_names=tuple(tasks[0]["class_names"]),
        point_cloud_range=tuple(float(v) for v in layer["point_cloud_range"]),
        voxel_size=tuple(float(v) for v in layer["voxel_size"]),
        grid=(int(output_shape[0]), int(output_shape[1])),
        max_points_per_pillar=int(layer["max_num_points"]),
        max_pillars=int(max_voxels),
        point_features=in_channels,
        encoder_features=in_channels + cluster + center,
        encoder_channels=int(encoder.get("feat_channels", [64])[-1]),
        use_voxel_center_z=ENCODERS[kind] == 3,
        out_size_factor=int(test_cfg.get("out_size_factor", 1)),
        test_cfg=test_cfg,
        post_center_range=tuple(float(v) for v in coder.get("post_center_range", ())),
        score_threshold=float(coder.get("score_threshold", 0.0)),
        top_k=int(coder.get("max_num", 500)),
    )


def load_model_config(path: str) -> Any:
    """Loads an mmdet3d model config with mmengine.

    Args:
        path (str): Config file.

    Returns:
        mmengine.Config: The config.
    """
    resolved = resolve_path(path)
    if not pathlib.Path(resolved).is_file():
        expected("project.model_config", "model config not found", "an mmdet3d config file", path)
    from mmengine.config import Config

    from awml_deploy.awml.custom_imports import import_custom_modules
    from awml_deploy.awml.root import add_awml_root_of

    add_awml_root_of(resolved)  # a model config inside an AWML checkout imports that checkout's projects.*
    try:
        cfg = Config.fromfile(resolved, import_custom_modules=False)
    except Exception as err:  # noqa: BLE001 - mmengine raises many types
        fail(f"{resolved} | cannot load the model config. Note: {type(err).__name__}: {err}", cause=err)
    import_custom_modules(cfg, resolved)
    return cfg


def build_model(cfg: Any) -> Any:
    """Builds the mmdet3d model of ``cfg`` (CPU, untrained weights).

    Args:
        cfg (mmengine.Config): Model config.

    Returns:
        torch.nn.Module: The mmdet3d CenterPoint.
    """
    import mmdet.models  # noqa: F401 - registers mmdet modules (losses) used by the head
    import mmdet3d.models  # noqa: F401 - registers mmdet3d modules
    from mmdet3d.registry import MODELS
    from mmengine.registry import init_default_scope

    init_default_scope("mmdet3d")
    return MODELS.build(cfg.model)


def load_centerpoint(checkpoint: str, device: str, model_config: str | None = None, trusted: bool | None = None) -> Any:
    """Builds the model from its config and loads the checkpoint (every parameter must match).

    Args:
        checkpoint (str): Checkpoint file.
        device (str): Torch device string.
        model_config (str | None): mmdet3d config. Defaults to the embedded tiny synthetic model.
        trusted (bool | None): See :func:`awml_deploy.core.checkpoint.read_state_dict`. Defaults to False.

    Returns:
        torch.nn.Module: The model in eval mode, with ``model.cfg`` and ``model.geometry`` attached.
    """
    model_config = DEFAULT_MODEL_CONFIG if model_config is None else model_config
    cfg = load_model_config(model_config)
    geometry = geometry_from_config(cfg)
    state = read_state_dict(checkpoint, trusted)
    model = build_model(cfg)
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = [k for k in set(own) & set(state) if tuple(own[k].shape) != tuple(state[k].shape)]
    if missing or unexpected or shapes:
        fail(
            f"checkpoint {checkpoint} | does not fit the model of {model_config}. Note: expected the same parameters, "
            f"got {len(missing)} missing (e.g. {missing[:2]}), {len(unexpected)} unexpected (e.g. {unexpected[:2]}), "
            f"{len(shapes)} with another shape (e.g. {sorted(shapes)[:2]})"
        )
    model.load_state_dict(state)
    model.cfg = cfg
    model.geometry = geometry
    return model.to(device).eval()
