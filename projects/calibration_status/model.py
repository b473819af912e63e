"""The classifier: mmpretrain's ``ImageClassifier`` (ResNet, 5 input channels, GlobalAveragePooling, LinearClsHead).

The network is built with mmdet's ``ResNet`` (the same module and parameter names as mmpretrain's ``ResNet``:
``backbone.conv1``, ``backbone.bn1``, ``backbone.layer1.0.conv1``...), a global average pooling and a linear head
whose parameters are ``head.fc.*`` as in mmpretrain's ``LinearClsHead``, so an AWML training checkpoint of
``projects/CalibrationStatusClassification`` loads as it is. mmpretrain itself is not imported: its only
torchvision for torch 2.13 is a CUDA build that does not import beside CPU torch (docs/reference/feasibility_mm.md);
``tests/calibration_status/test_awml_model.py`` proves the two equal where mmpretrain is importable.

The embedded checkpoint uses ``base_channels=16`` (a quarter of the standard width, ~0.7 M parameters, 2.8 MB) so
that it trains on a CPU in minutes and is small enough to commit; ``base_channels=64`` is the standard ResNet-18.
Checkpoints are plain state dicts or mmengine checkpoints, read weights-only unless trusted. torch and mmdet are
imported lazily.
"""

from __future__ import annotations

import dataclasses
import functools
import pathlib
from typing import Any

from awml_deploy.config.reader import as_int
from awml_deploy.config.settings import setting
from awml_deploy.core.errors import expected
from awml_deploy.runtime.single_network import ParameterShape, load_network

STEM_KEY = "backbone.conv1.weight"
HEAD_KEY = "head.fc.weight"


@dataclasses.dataclass(frozen=True)
class ModelSettings:
    """Architecture of the classifier (the ``project.model`` section).

    Attributes:
        depth: ResNet depth (18 or 34: basic blocks).
        in_channels: Input channels (RGB + depth + intensity = 5).
        base_channels: Width of the first stage (64 = standard ResNet-18).
        num_classes: Output classes.
    """

    depth: int = setting(18, as_int)
    in_channels: int = setting(5, as_int, minimum=1)
    base_channels: int = setting(16, as_int, minimum=1)
    num_classes: int = setting(2, as_int, minimum=1)

    def check(self, path: str) -> None:
        """Rules across fields (called by :func:`awml_deploy.config.settings.read_settings`)."""
        if self.depth not in (18, 34):
            expected(f"{path}.depth", "unsupported depth", "18 or 34 (basic-block ResNets)", self.depth)

    def parameters(self) -> tuple[ParameterShape, ...]:
        """The parameters that pin this architecture in a checkpoint."""
        stem = (self.base_channels, self.in_channels, 7, 7)
        head = (self.num_classes, self.base_channels * 8)
        return (
            ParameterShape(STEM_KEY, stem, "base_channels x in_channels (RGB + depth + intensity) stem, project.model"),
            ParameterShape(HEAD_KEY, head, "num_classes x 8 * base_channels, project.model"),
        )


def build_model(settings: ModelSettings | None = None) -> Any:
    """Builds the classifier (random weights).

    Args:
        settings (ModelSettings | None): Architecture. Defaults to ``ModelSettings()``.

    Returns:
        torch.nn.Module: ``(B, in_channels, H, W) float32 -> (B, num_classes) logits``.
    """
    settings = ModelSettings() if settings is None else settings
    import torch
    from mmdet.models.backbones import ResNet

    class LinearClsHead(torch.nn.Module):
        """mmpretrain's ``LinearClsHead`` at inference: ``fc`` on the pooled features."""

        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(settings.base_channels * 8, settings.num_classes)

    class CalibrationClassifier(torch.nn.Module):
        """ResNet backbone (last stage) → global average pooling → linear head (any input height and width)."""

        def __init__(self) -> None:
            super().__init__()
            self.backbone = ResNet(
                depth=settings.depth,
                in_channels=settings.in_channels,
                base_channels=settings.base_channels,
                out_indices=(3,),
                norm_eval=False,
            )
            self.head = LinearClsHead()

        def init_weights(self) -> None:
            """Kaiming/constant initialisation of the backbone (mmdet's), default init of the head."""
            self.backbone.init_weights()

        def forward(self, image):
            features = self.backbone(image)[-1]
            return self.head.fc(features.mean(dim=(2, 3)))

    return CalibrationClassifier()


def load_model(
    checkpoint_path: str | pathlib.Path, device: str, settings: ModelSettings | None = None, trusted: bool | None = None
) -> Any:
    """Builds the classifier from a checkpoint on ``device`` (eval mode).

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
    return load_network(build, settings.parameters(), "calibration classifier", checkpoint_path, device, trusted)
