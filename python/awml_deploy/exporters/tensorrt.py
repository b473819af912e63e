"""TensorRT exporter: the C++ engine builder (`awml_deploy._native.build_engine`) does the building."""

from __future__ import annotations

import pathlib

from awml_deploy.config.components import ComponentConfig, component_io_spec
from awml_deploy.config.sections import TensorRTConfig
from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.errors import EXIT_GATE_FAILED, fail
from awml_deploy.core.native import native_module


class TensorRTExporter:
    """Builds one engine per component from its ONNX file with the native builder.

    Args:
        config (TensorRTConfig): Builder settings.
        device (DeviceSpec): CUDA device to build on.
    """

    def __init__(self, config: TensorRTConfig, device: DeviceSpec) -> None:
        self.config = config
        self.device = device

    def export(
        self, component: ComponentConfig, onnx_path: str | pathlib.Path, engine_path: str | pathlib.Path
    ) -> dict:
        """Builds ``engine_path`` from ``onnx_path`` with the component's profile and declared I/O.

        Args:
            component (ComponentConfig): Component (I/O contract, profiles).
            onnx_path (str | pathlib.Path): Source ONNX file.
            engine_path (str | pathlib.Path): Destination engine file.

        Returns:
            dict: The native build report (plan path, reuse, mechanism, TensorRT version, build time).
        """
        native = native_module()
        engine_path = pathlib.Path(engine_path)
        engine_path.parent.mkdir(parents=True, exist_ok=True)
        timing_cache = self.config.timing_cache or ""
        if timing_cache and not pathlib.Path(timing_cache).is_absolute():
            timing_cache = str(engine_path.parent / timing_cache)
        try:
            report = native.build_engine(
                onnx_path=str(onnx_path),
                plan_path=str(engine_path),
                precision=self.config.precision_policy.value,
                io_spec=component_io_spec(component),
                workspace_bytes=self.config.max_workspace_size,
                timing_cache_path=timing_cache,
            )
        except RuntimeError as err:
            fail(
                f"components.{component.name} | TensorRT build failed. Note: {err}",
                exit_code=EXIT_GATE_FAILED,
                cause=err,
            )
        return {"component": component.name, **dict(report)}
