"""CenterPoint's tensor contract (Autoware's ``autoware_lidar_centerpoint``), shared by export and pipelines.

Two graphs:

* ``pts_voxel_encoder``: ``input_features`` [num_voxels, max_points, F] -> ``pillar_features`` [num_voxels, 1, C];
* ``pts_backbone_neck_head``: ``spatial_features`` [1, C, H, W] -> ``heatmap, reg, height, dim, rot, vel``.

With ``rot_y_axis_reference`` the head is exported in Autoware's y-axis convention: ``dim`` channels (dx, dy, dz)
-> (dy, dx, dz) and ``rot`` (sin, cos) -> (-cos, -sin). The exported head carries the flag in its ONNX metadata
(``ROT_Y_KEY``) and pipelines undo the rewrite with :func:`from_y_axis`.
"""

from __future__ import annotations

from typing import Any

ENCODER = "pts_voxel_encoder"
HEAD = "pts_backbone_neck_head"
HEAD_OUTPUTS = ("heatmap", "reg", "height", "dim", "rot", "vel")
CONTRACT = {ENCODER: (("input_features",), ("pillar_features",)), HEAD: (("spatial_features",), HEAD_OUTPUTS)}
ROT_Y_KEY = "rot_y_axis_reference"
_DIM, _ROT = HEAD_OUTPUTS.index("dim"), HEAD_OUTPUTS.index("rot")


def to_y_axis(heads: list) -> list:
    """The y-axis rewrite of the six head outputs (in ``HEAD_OUTPUTS`` order; arrays or tensors [B, C, H, W]).

    Args:
        heads (list): The six outputs in mmdet3d's layout.

    Returns:
        list: The outputs with dim (dy, dx, dz) and rot (-cos, -sin).
    """
    out = list(heads)
    out[_DIM] = heads[_DIM][:, [1, 0, 2]]
    out[_ROT] = -heads[_ROT][:, [1, 0]]
    return out


def from_y_axis(heads: dict) -> dict:
    """Undoes :func:`to_y_axis`: dim (dy, dx, dz) -> (dx, dy, dz); rot (-cos, -sin) -> (sin, cos).

    Args:
        heads (dict): Output name -> array [B, C, H, W].

    Returns:
        dict: The outputs in mmdet3d's layout.
    """
    out = dict(heads)
    out["dim"] = heads["dim"][:, [1, 0, 2]]
    out["rot"] = -heads["rot"][:, [1, 0]]
    return out


def read_rot_y_flag(onnx_path: str) -> bool:
    """Whether an exported head uses the y-axis convention (from its metadata; Autoware files without metadata
    are taken as y-axis, the convention Autoware ships).

    Args:
        onnx_path (str): The head ONNX.

    Returns:
        bool: The flag.
    """
    from awml_deploy.exporters.onnx import read_metadata

    value: Any = read_metadata(onnx_path).get(ROT_Y_KEY)
    return True if value is None else value == "true"
