"""Pipeline registry and `PipelineFactory`: (project, backend) → pipeline builder."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from awml_deploy.config.components import ComponentConfig
from awml_deploy.core.artifacts import component_file
from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.enums import Backend
from awml_deploy.core.errors import fail
from awml_deploy.pipelines.base import BaseInferencePipeline, ModelSpec, TensorPipeline
from awml_deploy.pipelines.runner import BaseRunner


@dataclasses.dataclass(frozen=True)
class PipelineContext:
    """What builders may use besides the model spec.

    Attributes:
        components: Components of the config (file names, I/O).
        load_pytorch_model: ``device -> torch module`` (the project's checkpoint loader), or None.
    """

    components: Any
    load_pytorch_model: Callable[[DeviceSpec], Any] | None = None


PipelineBuilder = Callable[[ModelSpec, PipelineContext], BaseInferencePipeline]


class PipelineRegistry:
    """Builders keyed by (project, backend); project None holds the generic builders."""

    def __init__(self) -> None:
        self._builders: dict[tuple[str | None, Backend], PipelineBuilder] = {}

    def register(self, backend: Backend, builder: PipelineBuilder, project: str | None = None) -> None:
        """Registers ``builder`` for ``backend`` (for ``project``, or generic when None).

        Args:
            backend (Backend): Backend.
            builder (PipelineBuilder): ``(spec, context) -> pipeline``.
            project (str | None): Project name. Defaults to generic.
        """
        self._builders[(project, backend)] = builder

    def get(self, backend: Backend, project: str | None = None) -> PipelineBuilder:
        """The project's builder, else the generic one.

        Args:
            backend (Backend): Backend.
            project (str | None): Project name. Defaults to generic.

        Returns:
            PipelineBuilder: The builder.
        """
        builder = self._builders.get((project, backend)) or self._builders.get((None, backend))
        if builder is None:
            known = sorted(f"{p or '*'}:{b}" for p, b in self._builders)
            fail(f"pipelines | no pipeline for {project or '*'}:{backend}. Note: expected one of {known}")
        return builder


def _single_component(context: PipelineContext) -> ComponentConfig:
    components = list(context.components.values())
    if len(components) != 1:
        fail(
            f"pipelines | the generic pipeline runs one-component models. Note: expected 1 component, got "
            f"{[c.name for c in components]}; register a project pipeline"
        )
    return components[0]


def build_pytorch_pipeline(spec: ModelSpec, context: PipelineContext) -> BaseInferencePipeline:
    """Generic PyTorch pipeline (one component; the project's loader builds the module)."""
    from awml_deploy.pipelines.torch_backend import PyTorchRunner

    component = _single_component(context)
    if context.load_pytorch_model is None:
        fail("pipelines | no PyTorch model loader. Note: expected the project runner to provide load_pytorch_model")
    runner = PyTorchRunner(
        lambda: context.load_pytorch_model(spec.device),
        component.io.input_names,
        component.io.output_names,
        spec.device,
    )
    return TensorPipeline(runner, spec)


def build_onnx_pipeline(spec: ModelSpec, context: PipelineContext) -> BaseInferencePipeline:
    """Generic ONNX Runtime pipeline (one component)."""
    from awml_deploy.pipelines.onnxruntime_backend import OnnxRuntimeRunner, OnnxSessionFromPath

    component = _single_component(context)
    path = component_file(spec.artifact, component.onnx_file)
    return TensorPipeline(OnnxRuntimeRunner(OnnxSessionFromPath(str(path), spec.device), spec.device), spec)


def build_tensorrt_pipeline(spec: ModelSpec, context: PipelineContext) -> BaseInferencePipeline:
    """Generic TensorRT pipeline (one component, native runtime)."""
    from awml_deploy.config.components import component_io_spec
    from awml_deploy.pipelines.tensorrt_backend import TensorRTRunner

    component = _single_component(context)
    path = component_file(spec.artifact, component.engine_file)
    return TensorPipeline(TensorRTRunner(str(path), component_io_spec(component), spec.device), spec)


def default_registry() -> PipelineRegistry:
    """A registry with the generic builders of the three backends."""
    registry = PipelineRegistry()
    registry.register(Backend.PYTORCH, build_pytorch_pipeline)
    registry.register(Backend.ONNX, build_onnx_pipeline)
    registry.register(Backend.TENSORRT, build_tensorrt_pipeline)
    return registry


def wrapped_generic_registry(
    project: str, wrap: Callable[[BaseRunner, ModelSpec], BaseInferencePipeline]
) -> PipelineRegistry:
    """A registry whose pytorch/onnx/tensorrt builders are the generic ones, their runner wrapped by the project.

    For single-graph projects that share one pre/post-processing across backends: ``wrap(runner, spec)`` returns
    the project's pipeline around the generic backend runner.

    Args:
        project (str): Project name the builders are registered under.
        wrap (Callable[[BaseRunner, ModelSpec], BaseInferencePipeline]): Builds the project pipeline.

    Returns:
        PipelineRegistry: The registry.
    """
    registry = PipelineRegistry()

    def wrapped(generic: PipelineBuilder) -> PipelineBuilder:
        return lambda spec, context: wrap(generic(spec, context).runner, spec)

    for backend, generic in (
        (Backend.PYTORCH, build_pytorch_pipeline),
        (Backend.ONNX, build_onnx_pipeline),
        (Backend.TENSORRT, build_tensorrt_pipeline),
    ):
        registry.register(backend, wrapped(generic), project)
    return registry


class PipelineFactory:
    """Creates pipelines for one project from a registry.

    Args:
        context (PipelineContext): Builder context.
        project (str | None): Project name. Defaults to generic builders only.
        registry (PipelineRegistry | None): Registry. Defaults to :func:`default_registry`.
    """

    def __init__(
        self, context: PipelineContext, project: str | None = None, registry: PipelineRegistry | None = None
    ) -> None:
        self.context = context
        self.project = project
        self.registry = default_registry() if registry is None else registry

    def create(self, spec: ModelSpec) -> BaseInferencePipeline:
        """Builds the pipeline for ``spec``.

        Args:
            spec (ModelSpec): Backend, device and artifact.

        Returns:
            BaseInferencePipeline: The pipeline (not yet activated).
        """
        return self.registry.get(spec.backend, self.project)(spec, self.context)
