"""TensorRT exporter: the C++ engine builder (`awml_deploy._native.build_engine`) does the building."""

from __future__ import annotations

import pathlib
from collections.abc import Sequence

from awml_deploy.config.components import ComponentConfig, component_io_spec
from awml_deploy.config.sections import TensorRTConfig
from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.errors import EXIT_GATE_FAILED, fail
from awml_deploy.core.native import native_module, tensorrt_availability


class TensorRTExporter:
    """Builds one engine per component from its ONNX file with the native builder.

    Args:
        config (TensorRTConfig): Builder settings.
        device (DeviceSpec): CUDA device to build on.
    """

    def __init__(self, config: TensorRTConfig, device: DeviceSpec) -> None:
        self.config = config
        self.device = device

    def source_onnx(
        self, native, version: str, onnx_path: str | pathlib.Path, engine_path: pathlib.Path
    ) -> pathlib.Path:
        """The ONNX the builder parses: an FP16 conversion next to the engine when the policy needs one (strongly
        typed FP16 on TensorRT >= 10.12 and 11, see :mod:`awml_deploy.exporters.onnx_fp16`), else ``onnx_path``.

        Args:
            native: ``awml_deploy._native`` (its ``precision_recipe`` decides).
            version (str): TensorRT version, e.g. "10.16.0".
            onnx_path (str | pathlib.Path): FP32 ONNX.
            engine_path (pathlib.Path): The engine; the FP16 ONNX goes next to it.

        Returns:
            pathlib.Path: The ONNX to build from.
        """
        major, minor = (int(v) for v in version.split(".")[:2])
        recipe = native.precision_recipe(self.config.precision_policy.value, major, minor)
        if not recipe["requires_fp16_onnx"]:
            return pathlib.Path(onnx_path)
        from awml_deploy.exporters.onnx_fp16 import convert_to_fp16

        return convert_to_fp16(onnx_path, engine_path.with_suffix(".fp16.onnx"))

    def export(
        self,
        component: ComponentConfig,
        onnx_path: str | pathlib.Path,
        engine_path: str | pathlib.Path,
        plugin_libraries: Sequence[str] | None = None,
    ) -> dict:
        """Builds ``engine_path`` from ``onnx_path`` with the component's profile and declared I/O.

        Args:
            component (ComponentConfig): Component (I/O contract, profiles).
            onnx_path (str | pathlib.Path): Source ONNX file.
            engine_path (str | pathlib.Path): Destination engine file.
            plugin_libraries (Sequence[str] | None): TensorRT plugin libraries the builder loads before parsing
                (their versions go into the engine's cache key). Defaults to none.

        Returns:
            dict: The native build report (plan path, reuse, mechanism, TensorRT version, build time).
        """
        native = native_module()
        engine_path = pathlib.Path(engine_path)
        engine_path.parent.mkdir(parents=True, exist_ok=True)
        timing_cache = self.config.timing_cache or ""
        if timing_cache and not pathlib.Path(timing_cache).is_absolute():
            timing_cache = str(engine_path.parent / timing_cache)
        version = tensorrt_availability().version or native.tensorrt_version()
        onnx_path = self.source_onnx(native, version, onnx_path, engine_path)
        try:
            report = native.build_engine(
                onnx_path=str(onnx_path),
                plan_path=str(engine_path),
                precision=self.config.precision_policy.value,
                io_spec=component_io_spec(component),
                workspace_bytes=self.config.max_workspace_size,
                device_index=self.device.index or 0,
                builder_optimization_level=(
                    -1 if self.config.builder_optimization_level is None else self.config.builder_optimization_level
                ),
                timing_cache_path=timing_cache,
                plugin_libraries=[str(p) for p in plugin_libraries or ()],
            )
        except RuntimeError as err:
            fail(
                f"components.{component.name} | TensorRT build failed. Note: {err}",
                exit_code=EXIT_GATE_FAILED,
                cause=err,
            )
        return {"component": component.name, **dict(report)}
