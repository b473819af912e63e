"""Exporters: ONNX (torch.onnx.export + checks + metadata), TensorRT (native builder), export pipelines."""

from awml_deploy.exporters.onnx import OnnxExporter, OnnxExportInfo, read_metadata
from awml_deploy.exporters.pipeline import (
    ExportableComponent,
    ExportPipeline,
    ExportSampleAdapter,
    ModelComponentBuilder,
    RawSampleAdapter,
    WholeModelBuilder,
)
from awml_deploy.exporters.tensorrt import TensorRTExporter

__all__ = [
    "ExportPipeline",
    "ExportSampleAdapter",
    "ExportableComponent",
    "ModelComponentBuilder",
    "OnnxExportInfo",
    "OnnxExporter",
    "RawSampleAdapter",
    "TensorRTExporter",
    "WholeModelBuilder",
    "read_metadata",
]
