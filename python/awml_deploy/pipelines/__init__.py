"""Inference pipelines: loaders build, runners run; pipelines time preprocess → model → postprocess."""

from awml_deploy.pipelines.base import BaseInferencePipeline, InferenceResult, ModelSpec, TensorPipeline
from awml_deploy.pipelines.factory import PipelineContext, PipelineFactory, PipelineRegistry, default_registry
from awml_deploy.pipelines.runner import BaseRunner

__all__ = [
    "BaseInferencePipeline",
    "BaseRunner",
    "InferenceResult",
    "ModelSpec",
    "PipelineContext",
    "PipelineFactory",
    "PipelineRegistry",
    "TensorPipeline",
    "default_registry",
]
