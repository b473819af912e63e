"""Python door to the CenterPoint kernels in ``awml_deploy._native`` (voxelize, pillar features, scatter,
decode, circle NMS).

NumPy arrays run the CPU kernels and return NumPy arrays. torch CUDA tensors run the CUDA kernels on torch's
current stream, with outputs allocated by torch on the same device (no host copies except the small counters
used to slice the outputs). The extension is imported lazily, so ``import awml_deploy.kernels`` needs only NumPy.
Boxes are ``[n, 11]`` float32 rows laid out as :data:`BOX_FIELDS`.

Every size and limit is checked here, before any output buffer is allocated (numpy or torch): a bad value is one
:class:`DeployError` naming the parameter and the accepted range. Inputs must be real numbers (integer or
floating dtypes); complex, bool, object and string arrays are rejected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from awml_deploy.core.errors import expected, fail

# The one box layout (mmdet3d's naming): centre (x, y, z); extents dx along the box's heading (its local x axis,
# the length), dy across it (the width), dz vertical (the height); yaw about +z from +x; velocity (vx, vy);
# score; label as a float class index. cpp/plugins/kernels/decode/decode.h (enum BoxField) is the same layout.
BOX_FIELDS = ("x", "y", "z", "dx", "dy", "dz", "yaw", "vx", "vy", "score", "label")

MAX_PILLARS = 1 << 24  # the kernels' limit on max_pillars (voxelize)
MAX_POINTS_PER_PILLAR = 1024
MAX_GRID_SIDE = 16384  # scatter canvas H and W
MAX_OUTPUT_FLOATS = 1 << 30  # 4 GiB: the largest output buffer a door allocates
_INT32_MAX = (1 << 31) - 1


def _native() -> Any:
    try:
        from awml_deploy import _native
    except ImportError as err:
        fail(
            "awml_deploy._native | the C++ extension is not built. Note: build //python/awml_deploy:_native.so",
            cause=err,
        )
    return _native


def _is_cuda_tensor(x: object) -> bool:
    return type(x).__module__.startswith("torch") and bool(getattr(x, "is_cuda", False))


def _int_param(name: str, value: object, lo: int, hi: int) -> int:
    """``value`` as an int in ``lo..hi``; one line naming ``name`` and the range otherwise (bools rejected)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        expected(name, "not an integer", f"an integer in {lo}..{hi}", value)
    if not lo <= int(value) <= hi:
        expected(name, "out of range", f"an integer in {lo}..{hi}", int(value))
    return int(value)


def _check_output_size(name: str, shape: Sequence[int], what: str) -> None:
    """Fails before allocating when an output of ``shape`` floats would exceed :data:`MAX_OUTPUT_FLOATS`."""
    total = 1
    for side in shape:
        total *= int(side)
    if total > MAX_OUTPUT_FLOATS:
        expected(name, f"output too large ({what} = {total} floats)", f"at most {MAX_OUTPUT_FLOATS} (4 GiB)", shape)


def _check_real(name: str, x: object) -> None:
    """Rejects complex, bool, object and string data (numpy arrays and torch tensors)."""
    dtype = getattr(x, "dtype", None)
    if type(x).__module__.startswith("torch"):
        ok = not (x.is_complex() or str(dtype) == "torch.bool")  # type: ignore[attr-defined]
    else:
        ok = isinstance(dtype, np.dtype) and dtype.kind in "iuf"
    if not ok:
        expected(name, "non-real dtype", "real numbers (an integer or floating dtype)", str(dtype))


def _array(name: str, x: object, dtype: type, ndim: int) -> np.ndarray:
    if type(x).__module__.startswith("torch"):
        _check_real(name, x)
        x = x.detach().cpu().numpy()  # type: ignore[attr-defined]
    if not isinstance(x, np.ndarray):
        expected(name, "unsupported input type", "a numpy array or a torch tensor", type(x).__name__)
    if x.ndim != ndim:
        expected(name, "wrong number of dimensions", ndim, x.shape)
    _check_real(name, x)
    return np.ascontiguousarray(x, dtype=dtype)


def _floats(name: str, values: Sequence[float], count: int) -> list[float]:
    values = [float(v) for v in values]
    if len(values) != count:
        expected(name, "wrong length", count, values)
    return values


def _grid(point_cloud_range: Sequence[float], voxel_size: Sequence[float]) -> Any:
    r = _floats("point_cloud_range", point_cloud_range, 6)
    v = _floats("voxel_size", voxel_size, 3)
    g = _native().PillarGrid()
    g.min_x, g.min_y, g.min_z, g.max_x, g.max_y, g.max_z = r
    g.voxel_x, g.voxel_y, g.voxel_z = v
    return g


def _call(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except ValueError as err:
        fail(str(err), cause=err)
    except RuntimeError as err:
        fail(str(err), exit_code=1, cause=err)


def _torch_stream(device: Any) -> int:
    import torch

    return int(torch.cuda.current_stream(device).cuda_stream)


@dataclasses.dataclass(frozen=True)
class Pillars:
    """Voxeliser output, sliced to the written pillars.

    Attributes:
        pillar_points: [P, max_points_per_pillar, F] float32, zero-padded.
        points_per_pillar: [P] int32.
        coords: [P, 3] int32 as (z, y, x).
        counters: pillar_count, pillars_dropped, points_dropped_pillar_full, points_dropped_no_pillar,
            points_out_of_range.
    """

    pillar_points: Any
    points_per_pillar: Any
    coords: Any
    counters: dict[str, int]


_COUNTER_NAMES = (
    "pillar_count",
    "pillars_dropped",
    "points_dropped_pillar_full",
    "points_dropped_no_pillar",
    "points_out_of_range",
)


def voxelize(
    points: Any,
    *,
    point_cloud_range: Sequence[float],
    voxel_size: Sequence[float],
    max_points_per_pillar: int | None = None,
    max_pillars: int | None = None,
    deterministic: bool | None = None,
) -> Pillars:
    """Groups points [N, F] (F = 3..8: x, y, z, extras) into pillars.

    Args:
        points (Any): [N, F] float32 numpy array (CPU) or torch CUDA tensor (CUDA).
        point_cloud_range (Sequence[float]): x_min, y_min, z_min, x_max, y_max, z_max (half-open).
        voxel_size (Sequence[float]): vx, vy, vz with vz = z_max - z_min.
        max_points_per_pillar (int | None): Points kept per pillar. Defaults to 32.
        max_pillars (int | None): Pillars kept. Defaults to 40000.
        deterministic (bool | None): First-appearance order (always on the CPU). Defaults to True.

    Returns:
        Pillars: The written pillars and the overflow counters.
    """
    max_points_per_pillar = 32 if max_points_per_pillar is None else max_points_per_pillar
    max_points_per_pillar = _int_param(
        "voxelize max_points_per_pillar", max_points_per_pillar, 1, MAX_POINTS_PER_PILLAR
    )
    max_pillars = _int_param("voxelize max_pillars", 40000 if max_pillars is None else max_pillars, 1, MAX_PILLARS)
    deterministic = True if deterministic is None else bool(deterministic)
    if getattr(points, "ndim", 0) != 2:
        expected("voxelize points", "wrong number of dimensions", "[N, F]", getattr(points, "shape", points))
    _check_real("voxelize points", points)
    features = int(points.shape[1])
    if not 3 <= features <= 8:
        expected("voxelize points", "unsupported number of point features", "F in 3..8 (x, y, z, extras)", features)
    _check_output_size(
        "voxelize max_pillars",
        (max_pillars, max_points_per_pillar, features),
        "max_pillars * max_points_per_pillar * num_point_features",
    )
    n = _native()
    config = n.VoxelizeConfig()
    config.grid = _grid(point_cloud_range, voxel_size)
    config.num_point_features = int(points.shape[1])
    config.max_points_per_pillar = max_points_per_pillar
    config.max_pillars = max_pillars
    config.deterministic = deterministic
    if not _is_cuda_tensor(points):
        pts, num, coords, counters = _call(n.voxelize, config, _array("voxelize points", points, np.float32, 2))
        return Pillars(pts, num, coords, dict(counters))
    import torch

    points = points.to(torch.float32).contiguous()
    dev = points.device
    f = config.num_point_features
    out_pts = torch.empty((max_pillars, max_points_per_pillar, f), dtype=torch.float32, device=dev)
    out_num = torch.empty((max_pillars,), dtype=torch.int32, device=dev)
    out_coords = torch.empty((max_pillars, 3), dtype=torch.int32, device=dev)
    counters = torch.empty((len(_COUNTER_NAMES),), dtype=torch.int32, device=dev)
    ws_bytes = _call(n.voxelize_cuda_workspace_bytes, config, int(points.shape[0]))
    ws = torch.empty((max(ws_bytes, 1),), dtype=torch.uint8, device=dev)
    _call(
        n.voxelize_cuda,
        config,
        points.data_ptr(),
        int(points.shape[0]),
        out_pts.data_ptr(),
        out_num.data_ptr(),
        out_coords.data_ptr(),
        counters.data_ptr(),
        ws.data_ptr(),
        ws_bytes,
        _torch_stream(dev),
    )
    host = dict(zip(_COUNTER_NAMES, counters.cpu().tolist(), strict=True))
    p = host["pillar_count"]
    return Pillars(out_pts[:p], out_num[:p], out_coords[:p], host)


def pillar_features(
    pillar_points: Any,
    points_per_pillar: Any,
    coords: Any,
    *,
    point_cloud_range: Sequence[float],
    voxel_size: Sequence[float],
    use_voxel_center_z: bool | None = None,
) -> Any:
    """PointPillars decoration [x, y, z, extras, x-mean, y-mean, z-mean, x-xc, y-yc, (z-zc)] of P pillars.

    Args:
        pillar_points (Any): [P, M, F] float32 (numpy, or torch CUDA with the other inputs on the same device).
        points_per_pillar (Any): [P] int32.
        coords (Any): [P, 3] int32 (z, y, x).
        point_cloud_range (Sequence[float]): As for :func:`voxelize`.
        voxel_size (Sequence[float]): As for :func:`voxelize`.
        use_voxel_center_z (bool | None): Add z - zc. Defaults to False (Autoware's 9 features for F = 4).

    Returns:
        Any: [P, M, F + 5 (+1)] float32, zero rows for padding slots.
    """
    use_voxel_center_z = False if use_voxel_center_z is None else bool(use_voxel_center_z)
    n = _native()
    if getattr(pillar_points, "ndim", 0) != 3:
        expected("pillar_features pillar_points", "wrong shape", "[P, M, F]", getattr(pillar_points, "shape", None))
    for name, value in (("pillar_points", pillar_points), ("points_per_pillar", points_per_pillar), ("coords", coords)):
        _check_real(f"pillar_features {name}", value)
    config = n.PillarFeaturesConfig()
    config.grid = _grid(point_cloud_range, voxel_size)
    p, m, f = (int(s) for s in pillar_points.shape)
    config.num_point_features, config.max_points_per_pillar, config.max_pillars = f, m, max(p, 1)
    config.use_voxel_center_z = use_voxel_center_z
    if not _is_cuda_tensor(pillar_points):
        return _call(
            n.pillar_features,
            config,
            _array("pillar_features pillar_points", pillar_points, np.float32, 3),
            _array("pillar_features points_per_pillar", points_per_pillar, np.int32, 1),
            _array("pillar_features coords", coords, np.int32, 2),
        )
    import torch

    dev = pillar_points.device
    pts = pillar_points.to(torch.float32).contiguous()
    num = points_per_pillar.to(device=dev, dtype=torch.int32).contiguous()
    zyx = coords.to(device=dev, dtype=torch.int32).contiguous()
    count = torch.tensor([p], dtype=torch.int32, device=dev)
    out = torch.empty((p, m, config.num_output_features), dtype=torch.float32, device=dev)
    if p:
        _call(
            n.pillar_features_cuda,
            config,
            pts.data_ptr(),
            num.data_ptr(),
            zyx.data_ptr(),
            count.data_ptr(),
            out.data_ptr(),
            _torch_stream(dev),
        )
    return out


def scatter(pillar_features: Any, coords: Any, *, grid_shape: Sequence[int]) -> Any:
    """Scatters pillar features [P, C] to the BEV canvas [1, C, H, W] (zeros elsewhere).

    Args:
        pillar_features (Any): [P, C] float32 (numpy or torch CUDA).
        coords (Any): [P, 3] int32 (z, y, x).
        grid_shape (Sequence[int]): (H, W).

    Returns:
        Any: [1, C, H, W] float32.
    """
    n = _native()
    if getattr(pillar_features, "ndim", 0) != 2:
        expected("scatter pillar_features", "wrong shape", "[P, C]", getattr(pillar_features, "shape", None))
    _check_real("scatter pillar_features", pillar_features)
    _check_real("scatter coords", coords)
    if isinstance(grid_shape, str | bytes) or len(grid_shape) != 2:
        expected("scatter grid_shape", "wrong length", "(H, W)", grid_shape)
    h, w = (_int_param(f"scatter grid_shape[{i}]", v, 1, MAX_GRID_SIDE) for i, v in enumerate(grid_shape))
    channels = int(pillar_features.shape[1])
    _check_output_size("scatter grid_shape", (channels, h, w), "channels * H * W")
    config = n.ScatterConfig()
    config.num_channels, config.grid_y, config.grid_x = channels, h, w
    if not _is_cuda_tensor(pillar_features):
        return _call(
            n.scatter,
            config,
            _array("scatter pillar_features", pillar_features, np.float32, 2),
            _array("scatter coords", coords, np.int32, 2),
        )
    import torch

    dev = pillar_features.device
    feat = pillar_features.to(torch.float32).contiguous()
    zyx = coords.to(device=dev, dtype=torch.int32).contiguous()
    config.max_pillars = int(feat.shape[0])
    if config.max_pillars == 0:  # empty tensors have no device pointer; the canvas is all zeros
        return torch.zeros((1, config.num_channels, h, w), dtype=torch.float32, device=dev)
    count = torch.tensor([config.max_pillars], dtype=torch.int32, device=dev)
    canvas = torch.empty((1, config.num_channels, h, w), dtype=torch.float32, device=dev)
    _call(
        n.scatter_cuda, config, feat.data_ptr(), zyx.data_ptr(), count.data_ptr(), canvas.data_ptr(), _torch_stream(dev)
    )
    return canvas


def _per_class(name: str, value: float | Sequence[float] | None, classes: int, default: float) -> list[float]:
    if value is None:
        values = [default] * classes
    elif isinstance(value, int | float):
        values = [float(value)] * classes
    else:
        values = [float(v) for v in value]
    if len(values) != classes:
        expected(name, "needs one value per class", classes, values)
    return values + [0.0] * (16 - classes)


def decode(
    heatmap: Any,
    reg: Any,
    height: Any,
    dim: Any,
    rot: Any,
    vel: Any = None,
    *,
    voxel_size: Sequence[float],
    point_cloud_range: Sequence[float],
    out_size_factor: int | None = None,
    score_threshold: float | Sequence[float] | None = None,
    yaw_norm_thresholds: float | Sequence[float] | None = None,
    top_k: int | None = None,
    max_candidates: int | None = None,
    center_range: Sequence[float] | None = None,
) -> tuple[Any, int]:
    """Decodes CenterPoint head outputs ([C|2|1|3|2|2, H, W], batch 1) into boxes sorted by score.

    Args:
        heatmap (Any): [C, H, W] logits (numpy, or torch CUDA with all heads on one device).
        reg (Any): [2, H, W] centre offsets from the cell corner.
        height (Any): [1, H, W] z.
        dim (Any): [3, H, W] log sizes (w, l, h).
        rot (Any): [2, H, W] (sin, cos).
        vel (Any): [2, H, W] velocity, or None for zeros. Defaults to None.
        voxel_size (Sequence[float]): vx, vy (a third value is ignored).
        point_cloud_range (Sequence[float]): x_min, y_min, ... (only x_min, y_min are used).
        out_size_factor (int | None): Head stride in voxels. Defaults to 1.
        score_threshold (float | Sequence[float] | None): Strict, per class or shared. Defaults to 0.0.
        yaw_norm_thresholds (float | Sequence[float] | None): Per class, 0 disables. Defaults to 0.0.
        top_k (int | None): mmdet3d mode: every (class, cell) and the top_k best; None keeps Autoware's one
            box per cell (argmax class). Defaults to None.
        max_candidates (int | None): Candidate capacity before sorting (<= 4096). Defaults to 4096.
        center_range (Sequence[float] | None): Inclusive (x, y, z) min then max. Defaults to no filter.

    Returns:
        tuple[Any, int]: Boxes [n, 11] and the number of candidates dropped for capacity.
    """
    n = _native()
    out_size_factor = _int_param("decode out_size_factor", 1 if out_size_factor is None else out_size_factor, 1, 1024)
    max_candidates = n.MAX_CANDIDATES if max_candidates is None else max_candidates
    max_candidates = _int_param("decode max_candidates", max_candidates, 1, n.MAX_CANDIDATES)
    top_k = None if top_k is None else _int_param("decode top_k", top_k, 1, max_candidates)
    if getattr(heatmap, "ndim", 0) != 3:
        expected("decode heatmap", "wrong shape", "[C, H, W]", getattr(heatmap, "shape", None))
    classes, h, w = (int(s) for s in heatmap.shape)
    if not 1 <= classes <= n.MAX_CLASSES:
        expected("decode heatmap", "unsupported number of classes", f"1..{n.MAX_CLASSES}", classes)
    config = n.DecodeConfig()
    config.num_classes, config.grid_y, config.grid_x, config.out_size_factor = classes, h, w, out_size_factor
    config.voxel_x, config.voxel_y = float(voxel_size[0]), float(voxel_size[1])
    config.min_x, config.min_y = float(point_cloud_range[0]), float(point_cloud_range[1])
    config.score_thresholds = _per_class("decode score_threshold", score_threshold, classes, 0.0)
    config.yaw_norm_thresholds = _per_class("decode yaw_norm_thresholds", yaw_norm_thresholds, classes, 0.0)
    config.top_k_mode = top_k is not None
    config.max_candidates = max_candidates
    config.top_k = max_candidates if top_k is None else top_k
    if center_range is not None:
        config.use_center_range = True
        config.center_range = _floats("decode center_range", center_range, 6)
    heads = {"heatmap": heatmap, "reg": reg, "height": height, "dim": dim, "rot": rot}
    for name, value in (*heads.items(), ("vel", vel)):
        if value is not None:
            _check_real(f"decode {name}", value)
    if not _is_cuda_tensor(heatmap):
        arrays = [_array(f"decode {k}", v, np.float32, 3) for k, v in heads.items()]
        v = None if vel is None else _array("decode vel", vel, np.float32, 3)
        boxes, dropped = _call(n.decode, config, *arrays, v)
        return boxes, int(dropped)
    import torch

    dev = heatmap.device
    tensors = [t.to(device=dev, dtype=torch.float32).contiguous() for t in heads.values()]
    v = None if vel is None else vel.to(device=dev, dtype=torch.float32).contiguous()
    boxes = torch.empty((config.top_k, len(BOX_FIELDS)), dtype=torch.float32, device=dev)
    counters = torch.zeros((2,), dtype=torch.int32, device=dev)
    ws_bytes = _call(n.decode_cuda_workspace_bytes, config)
    ws = torch.empty((ws_bytes,), dtype=torch.uint8, device=dev)
    ptrs = [t.data_ptr() for t in tensors] + [0 if v is None else v.data_ptr()]
    _call(
        n.decode_cuda, config, *ptrs, boxes.data_ptr(), counters.data_ptr(), ws.data_ptr(), ws_bytes, _torch_stream(dev)
    )
    count, dropped = counters.cpu().tolist()
    return boxes[:count], int(dropped)


def circle_nms(
    boxes: Any,
    *,
    squared_radius: float,
    inclusive: bool | None = None,
    per_class: bool | None = None,
    max_output: int | None = None,
) -> Any:
    """Greedy circle NMS by score over boxes [n, 11]; rows holding a NaN (score or any field) are dropped first.

    Args:
        boxes (Any): [n, 11] float32 (numpy or torch CUDA), n <= 4096 after dropping NaN rows.
        squared_radius (float): Suppression radius squared (Autoware 0.5 m -> 0.25; mmdet3d min_radius as is).
        inclusive (bool | None): Suppress at d2 <= r2 (mmdet3d) instead of d2 < r2 (Autoware). Defaults to False.
        per_class (bool | None): Only boxes of one label suppress each other. Defaults to False.
        max_output (int | None): Boxes kept at most (mmdet3d post_max_size). Defaults to 4096.

    Returns:
        Any: Kept boxes [k, 11] in score order.
    """
    n = _native()
    if getattr(boxes, "ndim", 0) != 2 or int(boxes.shape[1]) != len(BOX_FIELDS):
        expected("circle_nms boxes", "wrong shape", "[n, 11]", getattr(boxes, "shape", None))
    _check_real("circle_nms boxes", boxes)
    config = n.CircleNmsConfig()
    config.squared_radius = float(squared_radius)
    config.inclusive = False if inclusive is None else bool(inclusive)
    config.per_class = False if per_class is None else bool(per_class)
    config.max_output = _int_param("circle_nms max_output", 4096 if max_output is None else max_output, 1, _INT32_MAX)
    if not _is_cuda_tensor(boxes):
        b = _array("circle_nms boxes", boxes, np.float32, 2)
        return _call(n.circle_nms, config, np.ascontiguousarray(b[~np.isnan(b).any(axis=1)]))
    import torch

    dev = boxes.device
    b = boxes.to(torch.float32)
    b = b[~torch.isnan(b).any(dim=1)].contiguous()  # a NaN score has no rank and a NaN centre no distance
    config.max_boxes = max(int(b.shape[0]), 1)
    count = torch.tensor([int(b.shape[0])], dtype=torch.int32, device=dev)
    out = torch.empty((max(min(int(b.shape[0]), config.max_output), 1), len(BOX_FIELDS)), device=dev)
    kept = torch.zeros((1,), dtype=torch.int32, device=dev)
    ws_bytes = _call(n.circle_nms_cuda_workspace_bytes, config)
    ws = torch.empty((ws_bytes,), dtype=torch.uint8, device=dev)
    _call(
        n.circle_nms_cuda,
        config,
        b.data_ptr(),
        count.data_ptr(),
        out.data_ptr(),
        kept.data_ptr(),
        ws.data_ptr(),
        ws_bytes,
        _torch_stream(dev),
    )
    return out[: int(kept.item())]


def cuda_device_count() -> int:
    """Number of CUDA devices the extension sees (0 when it was built without CUDA).

    Returns:
        int: Device count.
    """
    return int(_native().cuda_device_count())
