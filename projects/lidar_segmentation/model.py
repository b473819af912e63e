"""Building and loading the segmentation network (:mod:`network`, plain torch, imported lazily).

Why not an mmdet3d segmentor: mmdet3d 1.4's LiDAR segmentors (Cylinder3D, MinkUNet, SPVCNN) need sparse
convolutions (spconv / torchsparse / MinkowskiEngine) and FRNet is not part of mmdet3d (it lives in its own
repository, also with CUDA-only scatter ops); none is installed here and none exports to ONNX with a dynamic point
count. So the project uses a compact range-image network in plain torch (FRNet's frustum/range idea: a 2D CNN over
the sensor's range image, fused back into per-point features) that trains on a CPU in minutes.

Checkpoints are plain state dicts or mmengine checkpoints, read weights-only unless trusted.
"""

from __future__ import annotations

import dataclasses
import functools
import pathlib
from typing import Any

from awml_deploy.config.reader import as_float, as_int
from awml_deploy.config.settings import setting
from awml_deploy.core.errors import expected
from awml_deploy.runtime.single_network import ParameterShape, load_network

STEM_KEY = "backbone.stem.0.weight"
HEAD_KEY = "head.2.weight"


@dataclasses.dataclass(frozen=True)
class ModelSettings:
    """Architecture of the network (the ``project.model`` section; the range image must match the sensor).

    Attributes:
        num_classes: Output classes (ground, car, truck, bus, bicycle, pedestrian, other = 7).
        width: Base channel width of the range U-Net.
        rows: Range-image rows (LiDAR beams).
        cols: Range-image columns (azimuth steps per revolution).
        sensor_height: Sensor height above the ground (m).
        elevation_min_deg: Lowest beam elevation (degrees).
        elevation_max_deg: Highest beam elevation (degrees).
    """

    num_classes: int = setting(7, as_int, minimum=1)
    width: int = setting(16, as_int, minimum=1)
    rows: int = setting(32, as_int, minimum=1)
    cols: int = setting(900, as_int, minimum=1)
    sensor_height: float = setting(1.8, as_float, minimum=-10.0, maximum=10.0)
    elevation_min_deg: float = setting(-25.0, as_float, minimum=-90.0, maximum=90.0)
    elevation_max_deg: float = setting(8.0, as_float, minimum=-90.0, maximum=90.0)

    def check(self, path: str) -> None:
        """Rules across fields (called by :func:`awml_deploy.config.settings.read_settings`)."""
        if not self.elevation_min_deg < self.elevation_max_deg:
            expected(
                f"{path}.elevation_min_deg",
                "not below elevation_max_deg",
                f"< {self.elevation_max_deg}",
                self.elevation_min_deg,
            )

    def parameters(self) -> tuple[ParameterShape, ...]:
        """The parameters that pin this architecture in a checkpoint."""
        return (
            ParameterShape(STEM_KEY, (self.width, None, 3, 3), "width x point features stem, project.model.width"),
            ParameterShape(HEAD_KEY, (self.num_classes, 2 * self.width), "num_classes x 2 * width, project.model"),
        )


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


def load_model(
    checkpoint_path: str | pathlib.Path, device: str, settings: ModelSettings | None = None, trusted: bool | None = None
) -> Any:
    """Builds the network from a checkpoint on ``device`` (eval mode).

    Args:
        checkpoint_path (str | pathlib.Path): Plain state dict or mmengine checkpoint.
        device (str): torch device string.
        settings (ModelSettings | None): Architecture. Defaults to ``ModelSettings()``.
        trusted (bool | None): The file is trusted (``project.trust_checkpoint``). Defaults to False.

    Returns:
        torch.nn.Module: The model.
    """
    settings = ModelSettings() if settings is None else settings
    build = functools.partial(build_model, settings)
    return load_network(build, settings.parameters(), "lidar segmentation", checkpoint_path, device, trusted)
