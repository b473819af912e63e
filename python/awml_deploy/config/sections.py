"""Simple config sections: devices, export, runtime_io, onnx_config, tensorrt_config, logging."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from types import MappingProxyType

from awml_deploy.config.reader import (
    SectionReader,
    as_bool,
    as_choice,
    as_int,
    as_str,
    optional,
)
from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.enums import ExportMode, PrecisionPolicy
from awml_deploy.core.errors import expected

DEFAULT_DEVICES = {"cpu": "cpu", "cuda": "cuda:0"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_ALIAS_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class DevicesConfig:
    """Device aliases ("cpu", "cuda", or any name) → device.

    Attributes:
        aliases: Alias → DeviceSpec.
    """

    aliases: Mapping[str, DeviceSpec]

    def resolve(self, value: object, path: str) -> DeviceSpec:
        """Resolves an alias ("cuda" → devices.cuda) or a literal device string.

        Args:
            value (object): An alias or a device string.
            path (str): Key path for messages.

        Returns:
            DeviceSpec: The device.
        """
        if isinstance(value, str) and value.strip() in self.aliases:
            return self.aliases[value.strip()]
        if isinstance(value, str) and _ALIAS_RE.match(value.strip()) and value.strip() not in ("cpu", "cuda"):
            expected(
                path,
                "unknown device alias",
                "an alias of devices (" + "|".join(self.aliases) + ") or 'cuda:<n>'",
                value,
            )
        return DeviceSpec.parse(value, path)


def parse_devices(value: object) -> DevicesConfig:
    """Parses ``devices`` (alias → device string), merged over the defaults cpu/cuda:0."""
    reader = SectionReader(value, "devices")
    aliases = {name: DeviceSpec.parse(text) for name, text in DEFAULT_DEVICES.items()}
    for name in list(reader.data):
        path = reader.key(name)
        if not _ALIAS_RE.match(name):
            expected(path, "invalid alias name", "an identifier like 'cuda1'", name)
        device = reader.get(name, DeviceSpec.parse)
        if name == "cpu" and device.is_cuda:
            expected(path, "the 'cpu' alias must be a CPU device", "'cpu'", reader.data[name])
        if name == "cuda" and not device.is_cuda:
            expected(path, "the 'cuda' alias must be a CUDA device", "'cuda:<index>'", reader.data[name])
        aliases[name] = device
    reader.finish()
    return DevicesConfig(MappingProxyType(aliases))


@dataclasses.dataclass(frozen=True)
class ExportConfig:
    """The `export` section.

    Attributes:
        mode: Which artifacts to export.
        work_dir: Directory holding artifacts and per-run directories.
        onnx_path: An existing ONNX file/directory (the TensorRT source in mode trt, the ONNX fallback otherwise).
    """

    mode: ExportMode = ExportMode.BOTH
    work_dir: str = "work_dirs/awml_deploy"
    onnx_path: str | None = None


def parse_export(value: object) -> ExportConfig:
    """Parses ``export``; mode trt needs ``onnx_path``."""
    reader = SectionReader(value, "export")
    mode = reader.get("mode", ExportMode.parse, ExportMode.BOTH)
    config = ExportConfig(
        mode=mode,
        work_dir=reader.get("work_dir", as_str, ExportConfig.work_dir),
        onnx_path=reader.get("onnx_path", optional(as_str), None),
    )
    reader.finish()
    if config.mode is ExportMode.TRT and config.onnx_path is None:
        expected("export.onnx_path", "required when export.mode is 'trt'", "the path of the ONNX file/directory", None)
    return config


@dataclasses.dataclass(frozen=True)
class RuntimeIOConfig:
    """The `runtime_io` section: where samples come from.

    Attributes:
        info_file: Dataset info file (project-specific format), or None for the project's built-in samples.
        sample_idx: Sample used to trace the export.
    """

    info_file: str | None = None
    sample_idx: int = 0


def parse_runtime_io(value: object) -> RuntimeIOConfig:
    """Parses ``runtime_io``."""
    reader = SectionReader(value, "runtime_io")
    config = RuntimeIOConfig(
        info_file=reader.get("info_file", optional(as_str), None),
        sample_idx=reader.get("sample_idx", as_int, 0, minimum=0),
    )
    reader.finish()
    return config


@dataclasses.dataclass(frozen=True)
class OnnxConfig:
    """The `onnx_config` section.

    Attributes:
        opset_version: ONNX opset.
        dynamo: Exporter choice, passed explicitly to torch.onnx.export (False = TorchScript exporter).
        do_constant_folding: Fold constants during export.
        export_params: Store weights in the graph.
        keep_initializers_as_inputs: Expose initializers as graph inputs.
        simplify: Run onnxsim/onnxslim when installed (a warning otherwise).
    """

    opset_version: int = 17
    dynamo: bool = False
    do_constant_folding: bool = True
    export_params: bool = True
    keep_initializers_as_inputs: bool = False
    simplify: bool = False


def parse_onnx_config(value: object) -> OnnxConfig:
    """Parses ``onnx_config``."""
    reader = SectionReader(value, "onnx_config")
    config = OnnxConfig(
        opset_version=reader.get("opset_version", as_int, 17, minimum=11, maximum=23),
        dynamo=reader.get("dynamo", as_bool, False),
        do_constant_folding=reader.get("do_constant_folding", as_bool, True),
        export_params=reader.get("export_params", as_bool, True),
        keep_initializers_as_inputs=reader.get("keep_initializers_as_inputs", as_bool, False),
        simplify=reader.get("simplify", as_bool, False),
    )
    reader.finish()
    return config


@dataclasses.dataclass(frozen=True)
class TensorRTConfig:
    """The `tensorrt_config` section.

    Attributes:
        precision_policy: auto | fp16 | fp32_tf32 | strongly_typed.
        max_workspace_size: Builder workspace limit in bytes.
        timing_cache: Timing cache file (relative paths live in the work dir), or None.
        builder_optimization_level: 0-5, or None for TensorRT's default.
    """

    precision_policy: PrecisionPolicy = PrecisionPolicy.AUTO
    max_workspace_size: int = 1 << 30
    timing_cache: str | None = None
    builder_optimization_level: int | None = None


def parse_tensorrt_config(value: object) -> TensorRTConfig:
    """Parses ``tensorrt_config``."""
    reader = SectionReader(value, "tensorrt_config")
    config = TensorRTConfig(
        precision_policy=reader.get("precision_policy", PrecisionPolicy.parse, PrecisionPolicy.AUTO),
        max_workspace_size=reader.get("max_workspace_size", as_int, 1 << 30, minimum=1),
        timing_cache=reader.get("timing_cache", optional(as_str), None),
        builder_optimization_level=reader.get("builder_optimization_level", optional(as_int), None, 0, 5),
    )
    reader.finish()
    return config


@dataclasses.dataclass(frozen=True)
class LoggingConfig:
    """The `logging` section.

    Attributes:
        level: DEBUG | INFO | WARNING | ERROR.
        file: Log file name inside the run directory (fresh per run).
        progress: Show progress bars on long loops.
    """

    level: str = "INFO"
    file: str = "deploy.log"
    progress: bool = True


def parse_logging(value: object) -> LoggingConfig:
    """Parses ``logging``; ``file`` is a plain file name."""
    reader = SectionReader(value, "logging")
    config = LoggingConfig(
        level=reader.get("level", as_choice, "INFO", LOG_LEVELS),
        file=reader.get("file", as_str, "deploy.log"),
        progress=reader.get("progress", as_bool, True),
    )
    reader.finish()
    if "/" in config.file or config.file in (".", ".."):
        expected(
            "logging.file", "must be a file name inside the run directory", "a name like 'deploy.log'", config.file
        )
    return config
