"""The ``runtime`` backend: the C++ ``CenterPointRuntime`` (awml_deploy._native), the code a ROS node links.

Points go in, the runtime voxelizes, decorates, runs its two engines, scatters, decodes and applies circle NMS, on
the CPU (the kernels' CPU twins) or on CUDA. Its engines are ONNX Runtime sessions on the exported ONNX, bound as
Python callables (``_native.PythonEngine``; the runtime holds the GIL only around those calls), or TensorRT plans
where the extension was built with TensorRT. Raw outputs are the six head tensors in mmdet3d's layout (the runtime
converts a ``rot_y_axis_reference`` head itself), so ``onnx vs runtime`` compares like with like; the decoded boxes
are the runtime's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.errors import EXIT_GATE_FAILED, fail
from awml_deploy.pipelines.runner import BaseRunner
from projects.centerpoint.contract import ENCODER, HEAD, HEAD_OUTPUTS, read_rot_y_flag
from projects.centerpoint.model import CenterPointGeometry
from projects.centerpoint.pipelines import CenterPointPipeline
from projects.centerpoint.preprocess import check_points

_ORT_DTYPES = {"tensor(float)": "float32", "tensor(int32)": "int32", "tensor(int64)": "int64"}


def runtime_settings(
    geometry: CenterPointGeometry,
    rot_y_axis_reference: bool,
    return_heads: bool | None = None,
    single_engine_plugins: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The ``CenterPointRuntime`` settings of a model, with the binding's key names (it rejects any other key).

    The decode and NMS settings are those of :func:`projects.centerpoint.pipelines.decode_detections` (mmdet3d's
    ``CenterPointBBoxCoder`` and ``circle_nms``), so the runtime and the ONNX pipeline decode alike.

    Args:
        geometry (CenterPointGeometry): Model geometry.
        rot_y_axis_reference (bool): The head was exported in the y-axis convention.
        return_heads (bool | None): Also return the head tensors. Defaults to True.
        single_engine_plugins (Sequence[str] | None): Single-engine mode (one plan: encoder + AwmlPillarScatter +
            head) with these plugin libraries loaded before the plan. Defaults to None (two engines).

    Returns:
        dict[str, Any]: Settings for ``_native.CenterPointRuntime``.
    """
    g = geometry
    classes = len(g.class_names)
    mode = {}
    if single_engine_plugins is not None:
        mode = {"mode": "single_engine", "plugin_libraries": [str(p) for p in single_engine_plugins]}
    return {
        **mode,
        "point_cloud_range": [float(v) for v in g.point_cloud_range],
        "voxel_size": [float(v) for v in g.voxel_size],
        "num_point_features": int(g.point_features),
        "max_points_per_pillar": int(g.max_points_per_pillar),
        "max_pillars": int(g.max_pillars),
        "use_voxel_center_z": bool(g.use_voxel_center_z),
        "encoder_channels": int(g.encoder_channels),
        "out_size_factor": int(g.out_size_factor),
        "has_velocity": True,  # the exported head always has vel (HEAD_OUTPUTS)
        "num_classes": classes,
        "score_thresholds": [float(g.score_threshold)] * classes,
        "top_k": int(g.top_k),
        "top_k_mode": True,
        "center_range": [float(v) for v in g.post_center_range],
        "nms_squared_radius": float(g.test_cfg.get("min_radius", [1.0])[0]),
        "nms_inclusive": True,
        "max_output": int(g.test_cfg.get("post_max_size", 4096)),
        "rot_y_axis_reference": bool(rot_y_axis_reference),
        "return_heads": True if return_heads is None else bool(return_heads),
        "deterministic": True,
    }


def onnx_engine(path: str, cpu_threads: int | None = None) -> Any:
    """An ONNX Runtime session (CPU) on ``path`` as a ``_native.PythonEngine``; dynamic dims are declared -1.

    Args:
        path (str): ONNX file.
        cpu_threads (int | None): Intra-op threads. Defaults to ONNX Runtime's choice.

    Returns:
        _native.PythonEngine: The engine.
    """
    from awml_deploy import _native
    from awml_deploy.pipelines.onnxruntime_backend import OnnxSessionFromPath

    session = OnnxSessionFromPath(path, DeviceSpec("cpu"), cpu_threads)()

    def describe(args: Any) -> list[dict]:
        out = []
        for arg in args:
            if arg.type not in _ORT_DTYPES:
                fail(
                    f"runtime | {path}: tensor {arg.name} has type {arg.type}. Note: expected one of {list(_ORT_DTYPES)}"
                )
            shape = [d if isinstance(d, int) and d >= 0 else -1 for d in arg.shape]
            out.append({"name": arg.name, "dtype": _ORT_DTYPES[arg.type], "shape": shape})
        return out

    outputs = [o.name for o in session.get_outputs()]

    def run(feed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return dict(zip(outputs, session.run(outputs, dict(feed)), strict=True))

    io = {"inputs": describe(session.get_inputs()), "outputs": describe(session.get_outputs())}
    return _native.PythonEngine(run, io)


class CenterPointRuntimeRunner(BaseRunner):
    """``_native.CenterPointRuntime`` around ONNX Runtime engines (or TensorRT plans where TensorRT is built).

    Args:
        encoder (str): Encoder ONNX (or plan with ``plans``).
        head (str): Backbone/neck/head ONNX (or plan with ``plans``).
        geometry (CenterPointGeometry): Model geometry.
        device (DeviceSpec): Where the runtime's kernels run (cpu or cuda).
        cpu_threads (int | None): ONNX Runtime intra-op threads. Defaults to ONNX Runtime's choice.
        plans (bool | None): ``encoder``/``head`` are TensorRT plans. Defaults to False.
        rot_y_axis_reference (bool | None): Head convention of plans (ONNX files carry it). Defaults to False.
        single_engine_plugins (Sequence[str] | None): ``encoder`` is the single-engine plan (encoder +
            AwmlPillarScatter + head; ``head`` None), run with these plugin libraries. Plans only. Defaults to None.
    """

    def __init__(
        self,
        encoder: str,
        head: str | None,
        geometry: CenterPointGeometry,
        device: DeviceSpec,
        cpu_threads: int | None = None,
        plans: bool | None = None,
        rot_y_axis_reference: bool | None = None,
        single_engine_plugins: Sequence[str] | None = None,
    ) -> None:
        super().__init__("runtime")
        self.paths = (encoder,) if head is None else (encoder, head)
        self.geometry = geometry
        self.device = device
        self.cpu_threads = cpu_threads
        self.plans = False if plans is None else plans
        self.rot_y = False if rot_y_axis_reference is None else rot_y_axis_reference
        self.single_engine_plugins = single_engine_plugins
        if (single_engine_plugins is not None) != (len(self.paths) == 1) or (len(self.paths) == 1 and not self.plans):
            fail(
                "runtime | engines. Note: expected (encoder, head), or one TensorRT plan with single_engine_plugins, "
                f"got {list(self.paths)}, plans {self.plans}"
            )
        self.runtime = None
        self.last: dict[str, Any] = {}

    def activate_impl(self) -> None:
        from awml_deploy import _native

        if self.device.is_cuda and not _native.RUNTIME_CUDA_BUILT:
            fail(
                "runtime | device cuda. Note: expected awml_deploy._native built with CUDA, got a CPU-only build",
                exit_code=EXIT_GATE_FAILED,
            )
        if self.plans:
            engines: list[Any] = list(self.paths)
        else:
            self.rot_y = read_rot_y_flag(self.paths[1])
            engines = [onnx_engine(p, self.cpu_threads) for p in self.paths]
        settings = runtime_settings(self.geometry, self.rot_y, None, self.single_engine_plugins)
        self.runtime = _native.CenterPointRuntime(settings, engines, "cuda" if self.device.is_cuda else "cpu")

    def infer_impl(self, feed: Mapping[str, Any]) -> dict[str, Any]:
        self.last = self.runtime.detect(feed["points"])
        return {k: self.last["heads"][k] for k in HEAD_OUTPUTS}

    def deactivate_impl(self) -> None:
        self.runtime = None


class CenterPointRuntimePipeline(CenterPointPipeline):
    """Points straight into the runtime; raw outputs are its head tensors, detections its own boxes."""

    def preprocess(self, sample: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict]:
        return {"points": check_points(sample["points"], self.geometry)}, {}

    def postprocess(self, raw_output: Any, metadata: dict) -> Any:
        boxes = np.asarray(self.runner.last["boxes"], np.float32)
        return {
            "boxes": np.ascontiguousarray(boxes[:, :7]),
            "scores": np.ascontiguousarray(boxes[:, 9]),
            "labels": boxes[:, 10].astype(np.int64),
        }


def runtime_engines(components: Mapping[str, Any], plans: bool, single_engine: bool) -> list[str]:
    """The component files the runtime opens inside the artifact.

    Args:
        components (Mapping[str, ComponentConfig]): The derived components.
        plans (bool): TensorRT plans (else the ONNX files on ONNX Runtime).
        single_engine (bool): ``project.single_graph``: TensorRT runs the one engine with AwmlPillarScatter
            (the runtime's single-engine mode). ONNX Runtime has no such op: the ``runtime`` backend keeps the two.

    Returns:
        list[str]: One plan (single engine), or the encoder's and the head's files.
    """
    if plans and single_engine:
        from projects.centerpoint.export import SINGLE_ENGINE_FILE

        return [SINGLE_ENGINE_FILE]
    return [c.engine_file if plans else c.onnx_file for c in (components[ENCODER], components[HEAD])]


def runtime_builder(
    geometry: CenterPointGeometry,
    cpu_threads: int | None = None,
    plans: bool | None = None,
    rot_y_axis_reference: bool | None = None,
    single_engine: bool | None = None,
) -> Any:
    """The pipeline builder of the C++ runtime on a component artifact (ONNX files, or TensorRT plans with ``plans``).

    Args:
        geometry (CenterPointGeometry): Model geometry.
        cpu_threads (int | None): ONNX Runtime intra-op threads. Defaults to ONNX Runtime's choice.
        plans (bool | None): Run the artifact's TensorRT engine files. Defaults to False (its ONNX files).
        rot_y_axis_reference (bool | None): Head convention of the plans (a plan has no ONNX metadata; ONNX files
            carry their own flag). Defaults to False.
        single_engine (bool | None): With ``plans``: the one engine of ``project.single_graph``
            (:func:`runtime_engines`). Defaults to False.

    Returns:
        PipelineBuilder: ``(spec, context) -> CenterPointRuntimePipeline``.
    """
    from awml_deploy.core.artifacts import component_file

    use_plans = False if plans is None else plans
    single = False if single_engine is None else single_engine

    def build(spec: Any, context: Any) -> CenterPointRuntimePipeline:
        files = runtime_engines(context.components, use_plans, single)
        paths = [str(component_file(spec.artifact, f)) for f in files]
        plugins = None
        if len(files) == 1:
            from awml_deploy.core.native import plugin_library

            plugins = [plugin_library("project.single_graph")]
        first, second = paths[0], (paths[1] if len(paths) > 1 else None)
        runner = CenterPointRuntimeRunner(
            first, second, geometry, spec.device, cpu_threads, use_plans, rot_y_axis_reference, plugins
        )
        return CenterPointRuntimePipeline(runner, spec, geometry)

    return build
