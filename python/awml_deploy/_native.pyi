"""Stubs for the C++ extension awml_deploy._native (kernel part; the TensorRT part is declared by its owner)."""

from typing import Any

import numpy as np
import numpy.typing as npt

CUDA_AVAILABLE: bool
BOX_FIELDS: tuple[str, ...]
MAX_CLASSES: int
MAX_CANDIDATES: int

class PillarGrid:
    min_x: float
    min_y: float
    min_z: float
    max_x: float
    max_y: float
    max_z: float
    voxel_x: float
    voxel_y: float
    voxel_z: float
    def __init__(self) -> None: ...
    def shape(self) -> tuple[int, int]: ...

class VoxelizeConfig:
    grid: PillarGrid
    num_point_features: int
    max_points_per_pillar: int
    max_pillars: int
    deterministic: bool
    def __init__(self) -> None: ...

class PillarFeaturesConfig:
    grid: PillarGrid
    num_point_features: int
    max_points_per_pillar: int
    max_pillars: int
    use_voxel_center_z: bool
    @property
    def num_output_features(self) -> int: ...
    def __init__(self) -> None: ...

class ScatterConfig:
    num_channels: int
    grid_x: int
    grid_y: int
    max_pillars: int
    clear_canvas: bool
    def __init__(self) -> None: ...

class DecodeConfig:
    num_classes: int
    grid_x: int
    grid_y: int
    out_size_factor: int
    voxel_x: float
    voxel_y: float
    min_x: float
    min_y: float
    score_thresholds: list[float]
    yaw_norm_thresholds: list[float]
    top_k_mode: bool
    max_candidates: int
    top_k: int
    use_center_range: bool
    center_range: list[float]
    def __init__(self) -> None: ...

class CircleNmsConfig:
    max_boxes: int
    squared_radius: float
    inclusive: bool
    per_class: bool
    max_output: int
    input_sorted: bool
    def __init__(self) -> None: ...

_F32 = npt.NDArray[np.float32]
_I32 = npt.NDArray[np.int32]

def cuda_device_count() -> int: ...
def voxelize(config: VoxelizeConfig, points: npt.ArrayLike) -> tuple[_F32, _I32, _I32, dict[str, int]]: ...
def pillar_features(
    config: PillarFeaturesConfig, pillar_points: npt.ArrayLike, points_per_pillar: npt.ArrayLike, coords: npt.ArrayLike
) -> _F32: ...
def scatter(config: ScatterConfig, pillar_features: npt.ArrayLike, coords: npt.ArrayLike) -> _F32: ...
def decode(
    config: DecodeConfig,
    heatmap: npt.ArrayLike,
    reg: npt.ArrayLike,
    height: npt.ArrayLike,
    dim: npt.ArrayLike,
    rot: npt.ArrayLike,
    vel: npt.ArrayLike | None = None,
) -> tuple[_F32, int]: ...
def circle_nms(config: CircleNmsConfig, boxes: npt.ArrayLike) -> _F32: ...

# CUDA builds only: device pointers as ints (e.g. torch data_ptr()), stream as an int (0 = default).
def voxelize_cuda_workspace_bytes(config: VoxelizeConfig, max_num_points: int) -> int: ...
def voxelize_cuda(
    config: VoxelizeConfig,
    points: int,
    num_points: int,
    pillar_points: int,
    points_per_pillar: int,
    coords: int,
    counters: int,
    workspace: int,
    workspace_bytes: int,
    stream: int = 0,
) -> None: ...
def pillar_features_cuda(
    config: PillarFeaturesConfig,
    pillar_points: int,
    points_per_pillar: int,
    coords: int,
    pillar_count: int,
    features: int,
    stream: int = 0,
) -> None: ...
def scatter_cuda(
    config: ScatterConfig, pillar_features: int, coords: int, pillar_count: int, canvas: int, stream: int = 0
) -> None: ...
def decode_cuda_workspace_bytes(config: DecodeConfig) -> int: ...
def decode_cuda(
    config: DecodeConfig,
    heatmap: int,
    reg: int,
    height: int,
    dim: int,
    rot: int,
    vel: int,
    boxes: int,
    counters: int,
    workspace: int,
    workspace_bytes: int,
    stream: int = 0,
) -> None: ...
def circle_nms_cuda_workspace_bytes(config: CircleNmsConfig) -> int: ...
def circle_nms_cuda(
    config: CircleNmsConfig,
    boxes: int,
    num_boxes: int,
    out_boxes: int,
    num_out: int,
    workspace: int,
    workspace_bytes: int,
    stream: int = 0,
) -> None: ...
def __getattr__(name: str) -> Any: ...  # the TensorRT bindings (trt_bindings.cc)
