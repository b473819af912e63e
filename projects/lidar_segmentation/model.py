"""Building and loading the segmentation network (:mod:`network`, plain torch, imported lazily).

Why not an mmdet3d segmentor: mmdet3d 1.4's LiDAR segmentors (Cylinder3D, MinkUNet, SPVCNN) need sparse
convolutions (spconv / torchsparse / MinkowskiEngine) and FRNet is not part of mmdet3d (it lives in its own
repository, also with CUDA-only scatter ops); none is installed here and none exports to ONNX with a dynamic point
count. So the project uses a compact range-image network in plain torch (FRNet's frustum/range idea: a 2D CNN over
the sensor's range image, fused back into per-point features) that trains on a CPU in minutes.

Checkpoints are plain state dicts (``torch.load(..., weights_only=True)``).
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping
from typing import Any

from awml_deploy.core.checkpoint import load_into, read_state_dict
from awml_deploy.core.errors import expected

STEM_KEY = "backbone.stem.0.weight"
HEAD_KEY = "head.2.weight"


@dataclasses.dataclass(frozen=True)
class ModelSettings:
    """Architecture of the network (the range image must match the sensor that produced the clouds).

    Attributes:
        num_classes: Output classes (ground, car, truck, bus, bicycle, pedestrian, other = 7).
        width: Base channel width of the range U-Net.
        rows: Range-image rows (LiDAR beams).
        cols: Range-image columns (azimuth steps per revolution).
        sensor_height: Sensor height above the ground (m).
        elevation_min_deg: Lowest beam elevation (degrees).
        elevation_max_deg: Highest beam elevation (degrees).
    """

    num_classes: int = 7
    width: int = 16
    rows: int = 32
    cols: int = 900
    sensor_height: float = 1.8
    elevation_min_deg: float = -25.0
    elevation_max_deg: float = 8.0

    @classmethod
    def from_mapping(cls, data: object, path: str | None = None) -> ModelSettings:
        """Builds settings from the ``project.model`` config section (None for the defaults)."""
        path = "project.model" if path is None else path
        data = {} if data is None else data
        names = [f.name for f in dataclasses.fields(cls)]
        if not hasattr(data, "items") or set(data) - set(names):
            got = sorted(set(data) - set(names)) if hasattr(data, "items") else data
            expected(path, "unknown or malformed keys", f"a mapping with keys from {names}", got)
        settings = cls(**dict(data))
        for name in ("num_classes", "width", "rows", "cols"):
            value = getattr(settings, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                expected(f"{path}.{name}", "must be a positive integer", "an int >= 1", value)
        if not settings.elevation_min_deg < settings.elevation_max_deg:
            expected(
                f"{path}.elevation_min_deg",
                "not below elevation_max_deg",
                f"< {settings.elevation_max_deg}",
                settings.elevation_min_deg,
            )
        return settings


def build_model(settings: ModelSettings | None = None) -> Any:
    """Builds the network (random weights).

    Args:
        settings (ModelSettings | None): Architecture. Defaults to ``ModelSettings()``.

    Returns:
        torch.nn.Module: ``(N, 4) float32 points -> (N, num_classes) logits``.
    """
    settings = ModelSettings() if settings is None else settings
    from projects.lidar_segmentation.network import RangeSegNet

    return RangeSegNet(
        settings.num_classes,
        settings.width,
        settings.rows,
        settings.cols,
        settings.sensor_height,
        settings.elevation_min_deg,
        settings.elevation_max_deg,
    )


def check_state_dict(state: Mapping[str, Any], settings: ModelSettings, source: str) -> Mapping[str, Any]:
    """Checks that a loaded object is a state dict of this architecture (input features, width, classes).

    Args:
        state (Mapping[str, Any]): A state dict from :func:`awml_deploy.core.checkpoint.read_state_dict`.
        settings (ModelSettings): Expected architecture.
        source (str): File name for messages.

    Returns:
        Mapping[str, Any]: The state dict.
    """
    if STEM_KEY not in state or HEAD_KEY not in state:
        keys = sorted(state)[:4]
        expected(f"checkpoint {source}", "not a lidar segmentation state dict", f"keys {STEM_KEY}, {HEAD_KEY}", keys)
    stem, head = tuple(state[STEM_KEY].shape), tuple(state[HEAD_KEY].shape)
    if stem[0] != settings.width or head[0] != settings.num_classes:
        expected(
            f"checkpoint {source}",
            "architecture mismatch",
            f"width {settings.width}, {settings.num_classes} classes (project.model)",
            f"stem {list(stem)}, head {list(head)}",
        )
    return state


def read_checkpoint(path: str | pathlib.Path, settings: ModelSettings | None = None) -> Mapping[str, Any]:
    """Loads and checks a checkpoint (``weights_only=True``), failing on one line when it is unusable.

    Args:
        path (str | pathlib.Path): Checkpoint file.
        settings (ModelSettings | None): Expected architecture. Defaults to ``ModelSettings()``.

    Returns:
        Mapping[str, Any]: The state dict.
    """
    settings = ModelSettings() if settings is None else settings
    return check_state_dict(read_state_dict(path), settings, str(path))


def load_model(checkpoint_path: str, device: str, settings: ModelSettings | None = None) -> Any:
    """Builds the network from a checkpoint on ``device`` (eval mode).

    Args:
        checkpoint_path (str): State dict file.
        device (str): torch device string.
        settings (ModelSettings | None): Architecture. Defaults to ``ModelSettings()``.

    Returns:
        torch.nn.Module: The model.
    """
    settings = ModelSettings() if settings is None else settings
    state = read_checkpoint(checkpoint_path, settings)
    return load_into(build_model(settings), state, checkpoint_path).to(device).eval()
