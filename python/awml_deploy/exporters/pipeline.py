"""Export pipelines: a sample adapter and a component builder turn one model into one or more graphs.

CenterPoint (two graphs) and a one-graph model go through the same code: the builder returns a list of
:class:`ExportableComponent`, each exported to ``components.<name>.onnx_file`` (and built to ``engine_file``).
"""

from __future__ import annotations

import abc
import dataclasses
import pathlib
from collections.abc import Mapping
from typing import Any

from awml_deploy.config.components import ComponentConfig
from awml_deploy.config.sections import OnnxConfig, TensorRTConfig
from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.errors import fail
from awml_deploy.core.samples import SampleSource
from awml_deploy.exporters.onnx import OnnxExporter, OnnxExportInfo
from awml_deploy.exporters.tensorrt import TensorRTExporter


@dataclasses.dataclass(frozen=True)
class ExportableComponent:
    """One graph to export.

    Attributes:
        name: Component name (a key of `components`).
        module: The torch module to trace.
        args: Example inputs, in the component's declared input order.
    """

    name: str
    module: Any
    args: tuple


class ExportSampleAdapter(abc.ABC):
    """Extracts the export sample from the data."""

    @abc.abstractmethod
    def extract_sample(self, model: Any, samples: SampleSource, sample_idx: int) -> Any:
        """Returns the sample the component builder traces with."""


class ModelComponentBuilder(abc.ABC):
    """Splits a model into exportable components."""

    @abc.abstractmethod
    def build_components(self, model: Any, sample: Any) -> list[ExportableComponent]:
        """Returns the components with their example inputs."""


class RawSampleAdapter(ExportSampleAdapter):
    """The sample as the source returns it."""

    def extract_sample(self, model: Any, samples: SampleSource, sample_idx: int) -> Any:
        if not 0 <= sample_idx < len(samples):
            fail(f"runtime_io.sample_idx | out of range. Note: expected 0 <= idx < {len(samples)}, got {sample_idx}")
        return samples.get_sample(sample_idx)


class WholeModelBuilder(ModelComponentBuilder):
    """One component: the whole model, inputs taken from ``sample["inputs"]`` in declared order.

    Args:
        component (ComponentConfig): The only component.
    """

    def __init__(self, component: ComponentConfig) -> None:
        self.component = component

    def build_components(self, model: Any, sample: Any) -> list[ExportableComponent]:
        from awml_deploy.pipelines.torch_backend import import_torch

        torch = import_torch()
        inputs = sample["inputs"]
        args = tuple(torch.as_tensor(inputs[name]) for name in self.component.io.input_names)
        return [ExportableComponent(self.component.name, model, args)]


class ExportPipeline:
    """Exports every component a builder produces; the produced set must equal the configured set.

    Args:
        component_builder (ModelComponentBuilder): Splits the model.
        sample_adapter (ExportSampleAdapter | None): Extracts the sample. Defaults to :class:`RawSampleAdapter`.
    """

    def __init__(
        self, component_builder: ModelComponentBuilder, sample_adapter: ExportSampleAdapter | None = None
    ) -> None:
        self.component_builder = component_builder
        self.sample_adapter = RawSampleAdapter() if sample_adapter is None else sample_adapter

    def export_onnx(
        self,
        model: Any,
        samples: SampleSource,
        sample_idx: int,
        components: Mapping[str, ComponentConfig],
        config: OnnxConfig,
        out_dir: str | pathlib.Path,
        metadata: Mapping[str, str] | None = None,
    ) -> list[OnnxExportInfo]:
        """Exports all components into ``out_dir``.

        Args:
            model (Any): The PyTorch model.
            samples (SampleSource): Data.
            sample_idx (int): Sample to trace with.
            components (Mapping[str, ComponentConfig]): Configured components.
            config (OnnxConfig): Exporter settings.
            out_dir (str | pathlib.Path): ONNX directory.
            metadata (Mapping[str, str] | None): Run metadata to stamp. Defaults to none.

        Returns:
            list[OnnxExportInfo]: One entry per component.
        """
        sample = self.sample_adapter.extract_sample(model, samples, sample_idx)
        built = self.component_builder.build_components(model, sample)
        names = [c.name for c in built]
        if sorted(names) != sorted(components) or len(set(names)) != len(names):
            fail(f"components | the component builder produced {names}. Note: expected exactly {sorted(components)}")
        exporter = OnnxExporter(config, metadata)
        out_dir = pathlib.Path(out_dir)
        return [
            exporter.export(c.module, c.args, components[c.name], out_dir / components[c.name].onnx_file) for c in built
        ]

    def export_tensorrt(
        self,
        onnx_dir: str | pathlib.Path,
        components: Mapping[str, ComponentConfig],
        config: TensorRTConfig,
        device: DeviceSpec,
        out_dir: str | pathlib.Path,
    ) -> list[dict]:
        """Builds one engine per component from ``onnx_dir``.

        Args:
            onnx_dir (str | pathlib.Path): Directory (or, for one component, file) holding the ONNX graphs.
            components (Mapping[str, ComponentConfig]): Configured components.
            config (TensorRTConfig): Builder settings.
            device (DeviceSpec): CUDA device.
            out_dir (str | pathlib.Path): Engine directory.

        Returns:
            list[dict]: One native build report per component.
        """
        exporter = TensorRTExporter(config, device)
        onnx_dir, out_dir = pathlib.Path(onnx_dir), pathlib.Path(out_dir)
        engines = []
        for comp in components.values():
            source = onnx_dir if onnx_dir.is_file() else onnx_dir / comp.onnx_file
            engines.append(exporter.export(comp, source, out_dir / comp.engine_file))
        return engines
