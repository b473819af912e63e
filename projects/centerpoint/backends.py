"""The CenterPoint backends as one pipeline registry: PyTorch, ONNX Runtime, and the C++ ``CenterPointRuntime``
on TensorRT engines (``tensorrt``) or on the ONNX files (``runtime``)."""

from __future__ import annotations

from awml_deploy.core.artifacts import component_file
from awml_deploy.core.enums import Backend
from awml_deploy.pipelines.base import BaseInferencePipeline, ModelSpec
from awml_deploy.pipelines.factory import PipelineContext, PipelineRegistry
from projects.centerpoint.contract import ENCODER, HEAD
from projects.centerpoint.model import CenterPointGeometry
from projects.centerpoint.pipelines import (
    PROJECT,
    CenterPointOnnxRunner,
    CenterPointPipeline,
    CenterPointTorchPipeline,
    CenterPointTorchRunner,
)
from projects.centerpoint.runtime_backend import runtime_builder


def make_registry(
    geometry: CenterPointGeometry,
    cpu_threads: int | None = None,
    rot_y_axis_reference: bool | None = None,
    single_engine: bool | None = None,
) -> PipelineRegistry:
    """The CenterPoint pipeline builders of the four backends.

    Args:
        geometry (CenterPointGeometry): Model geometry.
        cpu_threads (int | None): CPU threads of PyTorch and ONNX Runtime. Defaults to each library's choice.
        rot_y_axis_reference (bool | None): Head convention of the TensorRT engines. Defaults to False.
        single_engine (bool | None): ``tensorrt`` runs the one engine with the AwmlPillarScatter plugin
            (``project.single_graph``). Defaults to False.

    Returns:
        PipelineRegistry: Builders registered under project "centerpoint".
    """

    def pytorch(spec: ModelSpec, context: PipelineContext) -> BaseInferencePipeline:
        runner = CenterPointTorchRunner(lambda: context.load_pytorch_model(spec.device), spec.device, cpu_threads)
        return CenterPointTorchPipeline(runner, spec, geometry)

    def onnx(spec: ModelSpec, context: PipelineContext) -> BaseInferencePipeline:
        enc, head = (component_file(spec.artifact, context.components[n].onnx_file) for n in (ENCODER, HEAD))
        runner = CenterPointOnnxRunner(str(enc), str(head), geometry, spec.device, cpu_threads)
        return CenterPointPipeline(runner, spec, geometry)

    registry = PipelineRegistry()
    for backend, builder in (
        (Backend.PYTORCH, pytorch),
        (Backend.ONNX, onnx),
        (Backend.TENSORRT, runtime_builder(geometry, cpu_threads, True, rot_y_axis_reference, single_engine)),  # plans
        (Backend.RUNTIME, runtime_builder(geometry, cpu_threads)),  # the C++ runtime on the ONNX files
    ):
        registry.register(backend, builder, PROJECT)
    return registry
