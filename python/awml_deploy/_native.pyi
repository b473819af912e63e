"""Stubs for the whole C++ extension awml_deploy._native: kernels, metrics, the CenterPoint runtime and TensorRT.

tests/framework/test_native_stub.py fails when these signatures and the extension's drift apart. Names under
"TensorRT builds only" exist only in an extension built with TensorRT (TENSORRT_AVAILABLE).
"""

from collections.abc import Callable, Mapping, Sequence
from typing import TypedDict

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

# 3D detection metrics (cpp/metrics): thresholds as [mode][label] lists, labels as indices (-1 for others).
def metrics_detection3d_json(
    frames_json: bytes,
    labels: Sequence[str],
    modes: Sequence[str],
    thresholds: Sequence[Sequence[Sequence[float]]],
    max_abs_x: float,
    max_abs_y: float,
    distance_buckets: Sequence[tuple[float, float]],
    legacy_unsigned_yaw: bool,
) -> tuple: ...
def metrics_detection3d_file(
    path: str,
    labels: Sequence[str],
    modes: Sequence[str],
    thresholds: Sequence[Sequence[Sequence[float]]],
    max_abs_x: float,
    max_abs_y: float,
    distance_buckets: Sequence[tuple[float, float]],
    legacy_unsigned_yaw: bool,
) -> tuple: ...
def metrics_detection3d_columns(
    gt_frame: npt.ArrayLike,
    gt_label: npt.ArrayLike,
    gt_center: npt.ArrayLike,
    gt_size: npt.ArrayLike,
    gt_yaw: npt.ArrayLike,
    pred_frame: npt.ArrayLike,
    pred_label: npt.ArrayLike,
    pred_center: npt.ArrayLike,
    pred_size: npt.ArrayLike,
    pred_yaw: npt.ArrayLike,
    pred_score: npt.ArrayLike,
    num_frames: int,
    labels: Sequence[str],
    modes: Sequence[str],
    thresholds: Sequence[Sequence[Sequence[float]]],
    max_abs_x: float,
    max_abs_y: float,
    distance_buckets: Sequence[tuple[float, float]],
    legacy_unsigned_yaw: bool,
) -> dict: ...
def metrics_read_frames3d_json(frames_json: bytes, labels: Sequence[str]) -> tuple: ...

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

# ---- CenterPoint runtime (runtime_bindings.cc; TensorRT-free) ----

RUNTIME_CUDA_BUILT: bool

class RuntimeBindingError(RuntimeError): ...

class TensorDecl(TypedDict):
    name: str
    dtype: str  # "float32", "int32", ...
    shape: list[int]  # -1 = dynamic

class EngineIo(TypedDict):
    inputs: list[TensorDecl]
    outputs: list[TensorDecl]

class PythonEngine:
    """A callable ``run(feed) -> outputs`` (e.g. an ONNX Runtime session's run) as a runtime engine."""

    def __init__(self, run: Callable[[dict[str, np.ndarray]], Mapping[str, np.ndarray]], io: EngineIo) -> None: ...
    @property
    def input_names(self) -> list[str]: ...
    @property
    def output_names(self) -> list[str]: ...

class CenterPointSettings(TypedDict, total=False):
    """The binding's keys (any other key is an error). Required unless marked optional."""

    point_cloud_range: list[float]
    voxel_size: list[float]
    num_point_features: int
    max_points_per_pillar: int
    max_pillars: int
    use_voxel_center_z: bool
    encoder_channels: int
    out_size_factor: int
    has_velocity: bool
    num_classes: int
    score_thresholds: list[float]
    top_k: int
    nms_squared_radius: float
    nms_inclusive: bool
    max_output: int
    rot_y_axis_reference: bool
    mode: str  # optional: "two_engines" (default) | "single_engine"
    deterministic: bool  # optional, default True
    yaw_norm_thresholds: list[float]  # optional
    max_candidates: int  # optional, default MAX_CANDIDATES
    top_k_mode: bool  # optional, default True (mmdet3d); False: Autoware's argmax per cell
    center_range: list[float]  # optional: 6 values or empty
    nms_per_class: bool  # optional
    max_points: int  # optional
    return_heads: bool  # optional
    tensor_names: dict[str, str]  # optional
    plugin_libraries: list[str]  # optional: single TensorRT engine, the library holding AwmlPillarScatter

class CenterPointDetections(TypedDict):
    boxes: _F32  # [K, 11] (BOX_FIELDS)
    num_pillars: int
    pillars_dropped: int
    points_out_of_range: int
    candidates_dropped: int
    heads: dict[str, _F32]  # [1, C, H, W] in mmdet3d's layout, when settings["return_heads"]

class CenterPointRuntime:
    """points -> boxes on cpu or cuda; engines: (encoder, head) or (single,), PythonEngine or TensorRT plan path."""

    def __init__(
        self, settings: CenterPointSettings, engines: Sequence[PythonEngine | str], device: str = "cpu"
    ) -> None: ...
    def detect(self, points: npt.ArrayLike) -> CenterPointDetections: ...
    def time_pre_post(self, points: npt.ArrayLike, repeats: int) -> list[float]: ...
    @property
    def device(self) -> str: ...

# ---- TensorRT layer (trt_bindings.cc) ----

TENSORRT_AVAILABLE: bool

class TrtError(RuntimeError): ...

class PrecisionRecipe(TypedDict):
    strongly_typed_network: bool
    fp16_flag: bool
    tf32_flag: bool
    requires_fp16_onnx: bool
    mechanism: str

def precision_recipe(policy: str, trt_major: int, trt_minor: int) -> PrecisionRecipe: ...
def tensorrt_status() -> str: ...

# TensorRT builds only.

class ShapeRangeDecl(TypedDict):
    min: list[int]
    opt: list[int]
    max: list[int]

class IoSpecDecl(TypedDict, total=False):
    inputs: list[TensorDecl]
    outputs: list[TensorDecl]
    profiles: list[dict[str, ShapeRangeDecl]]

class BuildReport(TypedDict):
    plan_path: str
    metadata_path: str
    layer_json_path: str
    reused: bool
    cache_reason: str
    mechanism: str
    tensorrt_version: str
    build_seconds: float

def tensorrt_version() -> str: ...
def build_engine(
    onnx_path: str,
    plan_path: str,
    io_spec: IoSpecDecl,
    precision: str = "auto",
    workspace_bytes: int = 0,
    builder_optimization_level: int = -1,  # 0..5; -1 = TensorRT's default
    device_index: int = 0,
    timing_cache_path: str = "",
    plugin_libraries: Sequence[str] = (),
    write_layer_json: bool = True,
    force_rebuild: bool = False,
) -> BuildReport: ...

class TrtRunner:
    def __init__(
        self,
        plan_path: str,
        io_spec: IoSpecDecl,
        profile_index: int = 0,
        plugin_libraries: Sequence[str] = (),
        per_layer_profiling: bool = False,
    ) -> None: ...
    def infer(self, inputs: Mapping[str, npt.ArrayLike]) -> dict[str, np.ndarray]: ...
    def infer_device(
        self, addresses: Mapping[str, int], input_shapes: Mapping[str, Sequence[int]], stream: int
    ) -> None: ...
    def output_shape(self, name: str) -> list[int]: ...
    def capture_graph(self, stream: int = 0) -> None: ...
    def layer_times(self) -> list[tuple[str, float, int]]: ...
