"""The classifier: mmdet's ResNet-18 with 5 input channels, global average pooling and a linear head.

The embedded checkpoint uses ``base_channels=16`` (a quarter of the standard width, ~0.7 M parameters, 2.8 MB) so
that it trains on a CPU in minutes and is small enough to commit; ``base_channels=64`` is the standard ResNet-18.
Checkpoints are plain state dicts (``torch.load(..., weights_only=True)``). torch and mmdet are imported lazily;
mmpretrain/torchvision are never imported (see docs/reference/feasibility_mm.md, "torchvision is a trap").
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping
from typing import Any

from awml_deploy.core.checkpoint import load_into, read_state_dict
from awml_deploy.core.errors import expected

STEM_KEY = "backbone.conv1.weight"
HEAD_KEY = "head.weight"


@dataclasses.dataclass(frozen=True)
class ModelSettings:
    """Architecture of the classifier.

    Attributes:
        depth: ResNet depth (18 or 34: basic blocks).
        in_channels: Input channels (RGB + depth + intensity = 5).
        base_channels: Width of the first stage (64 = standard ResNet-18).
        num_classes: Output classes.
    """

    depth: int = 18
    in_channels: int = 5
    base_channels: int = 16
    num_classes: int = 2

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
        if settings.depth not in (18, 34):
            expected(f"{path}.depth", "unsupported depth", "18 or 34", settings.depth)
        for name in ("in_channels", "base_channels", "num_classes"):
            if not isinstance(getattr(settings, name), int) or getattr(settings, name) < 1:
                expected(f"{path}.{name}", "must be a positive integer", "an int >= 1", getattr(settings, name))
        return settings


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

    class CalibrationClassifier(torch.nn.Module):
        """ResNet backbone (last stage) → global average pooling → linear head."""

        def __init__(self) -> None:
            super().__init__()
            self.backbone = ResNet(
                depth=settings.depth,
                in_channels=settings.in_channels,
                base_channels=settings.base_channels,
                out_indices=(3,),
                norm_eval=False,
            )
            self.head = torch.nn.Linear(settings.base_channels * 8, settings.num_classes)

        def init_weights(self) -> None:
            """Kaiming/constant initialisation of the backbone (mmdet's), default init of the head."""
            self.backbone.init_weights()

        def forward(self, image):
            features = self.backbone(image)[-1]
            return self.head(features.mean(dim=(2, 3)))

    return CalibrationClassifier()


def check_state_dict(state: Mapping[str, Any], settings: ModelSettings, source: str) -> Mapping[str, Any]:
    """Checks that a loaded object is a state dict of this architecture (input channels, classes, width).

    Args:
        state (Mapping[str, Any]): A state dict from :func:`awml_deploy.core.checkpoint.read_state_dict`.
        settings (ModelSettings): Expected architecture.
        source (str): File name for messages.

    Returns:
        Mapping[str, Any]: The state dict.
    """
    if STEM_KEY not in state or HEAD_KEY not in state:
        keys = sorted(state)[:4]
        expected(
            f"checkpoint {source}", "not a calibration classifier state dict", f"keys {STEM_KEY}, {HEAD_KEY}", keys
        )
    stem, head = tuple(state[STEM_KEY].shape), tuple(state[HEAD_KEY].shape)
    if stem[1] != settings.in_channels:
        expected(
            f"checkpoint {source}",
            "wrong input channel count",
            f"{settings.in_channels} channels (RGB + depth + intensity; project.model.in_channels)",
            stem[1],
        )
    if stem[0] != settings.base_channels or head != (settings.num_classes, settings.base_channels * 8):
        expected(
            f"checkpoint {source}",
            "architecture mismatch",
            f"base_channels {settings.base_channels}, {settings.num_classes} classes",
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
    """Builds the classifier from a checkpoint on ``device`` (eval mode).

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
