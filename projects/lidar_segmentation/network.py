"""The segmentation network (plain torch): range-image projection, a small U-Net, and a per-point head.

``points (N, 4) float32 x, y, z, intensity -> logits (N, num_classes)``, the same computation for every N (the
point count is the ONNX graph's only dynamic axis). Steps, all inside the exported graph:

1. **Projection.** Each point goes to the range-image cell of its beam (elevation row) and azimuth column of the
   sensor (:class:`~projects.lidar_segmentation.model.ModelSettings`). Points sharing a cell are averaged
   (scatter-add of features and counts), so any cloud (also one with collisions) gives a deterministic image.
2. **Range CNN.** A three-level encoder–decoder over the (rows, cols) image, downsampling mostly along the
   azimuth so that long objects (buses, walls) fit into the receptive field.
3. **Point head.** Each point gathers the decoder feature of its cell, concatenates its own encoded features
   and an MLP gives the class logits (the FRNet idea of fusing frustum/range features back into points).

This module imports torch at the top; the rest of the project imports it lazily (:mod:`model`).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional

POINT_FEATURES = 5  # x/40, y/40, z/2, intensity, range/40


def conv_bn(cin: int, cout: int, stride=1, dilation=(1, 1), kernel: int = 3) -> nn.Sequential:
    """Conv (same padding) + BatchNorm + ReLU."""
    pad = (dilation[0] * (kernel // 2), dilation[1] * (kernel // 2))
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=pad, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class RangeProjection(nn.Module):
    """Points → (1, F + 1, rows, cols) mean-feature image + occupancy, the flat cell index and point features.

    Args:
        rows (int): Beams (image rows).
        cols (int): Azimuth steps (image columns).
        sensor_height (float): Sensor height above the ground (m).
        elevation_min_deg (float): Lowest beam elevation (degrees).
        elevation_max_deg (float): Highest beam elevation (degrees).
    """

    def __init__(
        self, rows: int, cols: int, sensor_height: float, elevation_min_deg: float, elevation_max_deg: float
    ) -> None:
        super().__init__()
        self.rows, self.cols = rows, cols
        self.sensor_height = float(sensor_height)
        self.elev_min = math.radians(elevation_min_deg)
        self.elev_step = math.radians(elevation_max_deg - elevation_min_deg) / max(rows - 1, 1)
        self.az_step = 2.0 * math.pi / cols

    def forward(self, points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x, y, z, intensity = points[:, 0], points[:, 1], points[:, 2], points[:, 3]
        planar = torch.sqrt(x * x + y * y)
        row = torch.round((torch.atan2(z - self.sensor_height, planar) - self.elev_min) / self.elev_step)
        row = torch.clamp(row, 0, self.rows - 1)
        col = torch.round(torch.atan2(y, x) / self.az_step)
        col = torch.where(col < 0, col + self.cols, col)
        col = torch.clamp(col, 0, self.cols - 1)
        flat = (row * self.cols + col).long()
        feats = torch.stack([x / 40.0, y / 40.0, z / 2.0, intensity, planar / 40.0], dim=1)
        ones = torch.ones_like(x)[:, None]
        cells = self.rows * self.cols
        values = torch.cat([feats, ones], dim=1).t()  # (F + 1, N)
        index = flat[None, :].expand(values.shape[0], -1)
        sums = torch.zeros(values.shape[0], cells, dtype=points.dtype, device=points.device)
        sums = sums.scatter_add(1, index, values)
        counts = sums[-1:]
        mean = sums[:-1] / torch.clamp(counts, min=1.0)
        image = torch.cat([mean, (counts > 0).to(points.dtype)], dim=0)
        return image.reshape(1, -1, self.rows, self.cols), flat, feats


class RangeUNet(nn.Module):
    """(B, C_in, rows, cols) → (B, width, rows, cols): three levels, azimuth-first downsampling.

    Args:
        in_channels (int): Input channels.
        width (int): Channels of the first level; deeper levels use 2, 3 and 4 times this.
    """

    def __init__(self, in_channels: int, width: int) -> None:
        super().__init__()
        w1, w2, w3, w4 = width, 2 * width, 3 * width, 4 * width
        self.stem = conv_bn(in_channels, w1)
        self.down1 = nn.Sequential(conv_bn(w1, w2, stride=(1, 2)), conv_bn(w2, w2))
        self.down2 = nn.Sequential(conv_bn(w2, w3, stride=(2, 2)), conv_bn(w3, w3))
        self.down3 = nn.Sequential(
            conv_bn(w3, w4, stride=(2, 2)), conv_bn(w4, w4, dilation=(1, 2)), conv_bn(w4, w4, dilation=(1, 4))
        )
        self.up2 = conv_bn(w4 + w3, w2)
        self.up1 = conv_bn(w2 + w2, w2, kernel=1)
        self.up0 = conv_bn(w2 + w1, w2, kernel=1)
        self.out_channels = w2

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        s0 = self.stem(image)
        s1 = self.down1(s0)
        s2 = self.down2(s1)
        s3 = self.down3(s2)
        u2 = self.up2(torch.cat([functional.interpolate(s3, size=s2.shape[-2:], mode="nearest"), s2], dim=1))
        u1 = self.up1(torch.cat([functional.interpolate(u2, size=s1.shape[-2:], mode="nearest"), s1], dim=1))
        return self.up0(torch.cat([functional.interpolate(u1, size=s0.shape[-2:], mode="nearest"), s0], dim=1))


class RangeSegNet(nn.Module):
    """Per-point LiDAR segmentation: ``(N, 4) points -> (N, num_classes) logits``.

    Args:
        num_classes (int): Output classes.
        width (int): Base width of the U-Net.
        rows (int): Beams.
        cols (int): Azimuth steps.
        sensor_height (float): Sensor height (m).
        elevation_min_deg (float): Lowest beam elevation (degrees).
        elevation_max_deg (float): Highest beam elevation (degrees).
    """

    def __init__(
        self,
        num_classes: int,
        width: int,
        rows: int,
        cols: int,
        sensor_height: float,
        elevation_min_deg: float,
        elevation_max_deg: float,
    ) -> None:
        super().__init__()
        self.projection = RangeProjection(rows, cols, sensor_height, elevation_min_deg, elevation_max_deg)
        self.backbone = RangeUNet(POINT_FEATURES + 1, width)
        channels = self.backbone.out_channels
        self.point_mlp = nn.Sequential(nn.Linear(POINT_FEATURES, channels), nn.ReLU(inplace=True))
        self.head = nn.Sequential(
            nn.Linear(2 * channels, channels), nn.ReLU(inplace=True), nn.Linear(channels, num_classes)
        )

    def point_logits(self, cell_features: torch.Tensor, flat: torch.Tensor, feats: torch.Tensor) -> torch.Tensor:
        """Logits of one cloud from its (C, rows, cols) decoder features, cell indices and point features."""
        gathered = cell_features.reshape(cell_features.shape[0], -1)[:, flat].t()
        return self.head(torch.cat([gathered, self.point_mlp(feats)], dim=1))

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        image, flat, feats = self.projection(points)
        return self.point_logits(self.backbone(image)[0], flat, feats)

    def forward_batch(self, clouds: list[torch.Tensor]) -> list[torch.Tensor]:
        """Training helper: several clouds through one batched CNN call; logits per cloud."""
        projected = [self.projection(p) for p in clouds]
        features = self.backbone(torch.cat([p[0] for p in projected], dim=0))
        return [self.point_logits(features[i], p[1], p[2]) for i, p in enumerate(projected)]
