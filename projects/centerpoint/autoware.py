"""Autoware ``autoware_lidar_centerpoint`` parameter files as the node reads them, and the check that the model
fits the Autoware the user targets.

* ``centerpoint_ml_package.param.yaml``: ``model_params`` (classes, point features, voxel grid, encoder input
  size...), read by the node with the ONNX/engine files.
* ``centerpoint.param.yaml``: ``post_process_params`` holding the thresholds this deploy evaluated (the
  decoder's score threshold and circle-NMS radius of the model config, not Autoware's 0.35 default) and
  ``densification_params`` (past sweeps from the model's test pipeline).

Targets (``project.autoware_target``): ``universe`` (current node: encoder input 9, 10 or 11 features),
``legacy`` (older node: 9 features, 4 point features only) and ``none`` (no check). Both nodes fix the encoder
output at 32 channels. A model that does not fit is a one-line error before any work.
"""

from __future__ import annotations

import math
import pathlib

from awml_deploy.core.errors import expected
from awml_deploy.core.fsio import atomic_write_text
from projects.centerpoint.model import CenterPointGeometry

MODEL_PARAM_FILE = "centerpoint_ml_package.param.yaml"
POST_PARAM_FILE = "centerpoint.param.yaml"
ENCODER_CHANNELS = 32
TARGETS = {"universe": ((9, 10, 11), (4, 5)), "legacy": ((9,), (4,)), "none": ((), ())}


def check_autoware_target(geometry: CenterPointGeometry, target: str) -> None:
    """Fails when the model does not fit the targeted Autoware node.

    Args:
        geometry (CenterPointGeometry): Model geometry.
        target (str): One of ``TARGETS``.
    """
    features, point_features = TARGETS[target]
    if not features:
        return
    path = "project.autoware_target"
    if geometry.encoder_features not in features:
        expected(
            path,
            f"Autoware ({target}) takes encoder_in_feature_size {list(features)}",
            "a model with that many decorated features (PillarFeatureNet: points + 6, BackwardPillarFeatureNet: + 5)",
            f"{geometry.encoder_features} ({geometry.point_features} point features)",
        )
    if geometry.point_features not in point_features:
        expected(
            path,
            f"Autoware ({target}) takes point_feature_size {list(point_features)}",
            "such a model",
            geometry.point_features,
        )
    if geometry.encoder_channels != ENCODER_CHANNELS:
        expected(
            path,
            f"Autoware's encoder output has {ENCODER_CHANNELS} channels",
            "feat_channels[-1] = 32",
            geometry.encoder_channels,
        )


def model_params(geometry: CenterPointGeometry) -> dict:
    """``model_params`` of ``centerpoint_ml_package.param.yaml``."""
    g = geometry
    return {
        "class_names": [n.upper() for n in g.class_names],
        "point_feature_size": g.point_features,
        "max_voxel_size": g.max_pillars,
        "point_cloud_range": [round(v, 6) for v in g.point_cloud_range],
        "voxel_size": [round(v, 6) for v in g.voxel_size],
        "downsample_factor": g.out_size_factor,
        "encoder_in_feature_size": g.encoder_features,
        "has_variance": False,
        "has_twist": False,
    }


def post_process_params(geometry: CenterPointGeometry, num_past_frames: int) -> dict:
    """``post_process_params`` and ``densification_params`` of ``centerpoint.param.yaml``: the evaluated values."""
    g = geometry
    radius = float(g.test_cfg.get("min_radius", [1.0])[0])  # mmdet3d's circle NMS compares squared distances
    return {
        "post_process_params": {
            "score_threshold": round(g.score_threshold, 6),
            "circle_nms_dist_threshold": round(math.sqrt(radius), 6),
            "yaw_norm_thresholds": [0.0] * len(g.class_names),
            "iou_nms_search_distance_2d": 10.0,
            "iou_nms_threshold": 0.1,
        },
        "densification_params": {"world_frame_id": "map", "num_past_frames": int(num_past_frames)},
    }


def write_parameter_files(
    geometry: CenterPointGeometry, out_dir: pathlib.Path, rot_y_axis_reference: bool, num_past_frames: int
) -> list[pathlib.Path]:
    """Writes both parameter files next to the ONNX graphs.

    Args:
        geometry (CenterPointGeometry): Model geometry.
        out_dir (pathlib.Path): The ONNX directory.
        rot_y_axis_reference (bool): How the head was exported (noted in the header).
        num_past_frames (int): Past sweeps of the model's test pipeline.

    Returns:
        list[pathlib.Path]: The files written.
    """
    import yaml

    header = (
        "# autoware_lidar_centerpoint parameters, written by awml-deploy from the mmdet3d model config.\n"
        f"# Head exported with rot_y_axis_reference={str(rot_y_axis_reference).lower()} "
        "(Autoware expects true: dim (dy, dx, dz), rot (-cos, -sin)).\n"
    )
    files = {
        MODEL_PARAM_FILE: {"model_params": model_params(geometry)},
        POST_PARAM_FILE: post_process_params(geometry, num_past_frames),
    }
    out = []
    for name, params in files.items():
        path = pathlib.Path(out_dir) / name
        atomic_write_text(path, header + yaml.safe_dump({"/**": {"ros__parameters": params}}, sort_keys=False))
        out.append(path)
    return out
