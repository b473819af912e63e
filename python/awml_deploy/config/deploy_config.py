"""`DeployConfig`: the whole validated deployment config, parsed from a plain mapping."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from awml_deploy.config.components import ComponentConfig, parse_components
from awml_deploy.config.reader import SectionReader, as_mapping, as_str, optional
from awml_deploy.config.sections import (
    DevicesConfig,
    ExportConfig,
    LoggingConfig,
    OnnxConfig,
    RuntimeIOConfig,
    TensorRTConfig,
    parse_devices,
    parse_export,
    parse_logging,
    parse_onnx_config,
    parse_runtime_io,
    parse_tensorrt_config,
)
from awml_deploy.config.stages import EvaluationConfig, VerificationConfig, parse_evaluation, parse_verification
from awml_deploy.core.errors import expected
from awml_deploy.core.logging import get_logger

_LOG = get_logger("config")

TOP_LEVEL_KEYS = (
    "checkpoint_path",
    "devices",
    "export",
    "components",
    "runtime_io",
    "onnx_config",
    "tensorrt_config",
    "verification",
    "evaluation",
    "logging",
    "project",
    "deploy_log_path",
)


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


@dataclasses.dataclass(frozen=True)
class DeployConfig:
    """A validated deployment config (immutable).

    Attributes:
        checkpoint_path: PyTorch checkpoint; required only by stages that load the PyTorch model.
        devices: Device aliases.
        export: Export mode and directories.
        components: Component id → component.
        runtime_io: Sample source.
        onnx_config: ONNX exporter settings.
        tensorrt_config: TensorRT builder settings.
        verification: Verification settings.
        evaluation: Evaluation settings.
        logging: Logging settings.
        project: Free-form project settings (frozen), validated by the project.
        raw: The raw mapping the config was parsed from (for the report and the config hash).
    """

    checkpoint_path: str | None
    devices: DevicesConfig
    export: ExportConfig
    components: Mapping[str, ComponentConfig]
    runtime_io: RuntimeIOConfig
    onnx_config: OnnxConfig
    tensorrt_config: TensorRTConfig
    verification: VerificationConfig
    evaluation: EvaluationConfig
    logging: LoggingConfig
    project: Mapping[str, Any]
    raw: Mapping[str, Any]

    def require_checkpoint(self, stage: str) -> str:
        """Returns ``checkpoint_path`` or fails naming the stage that needs it.

        Args:
            stage (str): The stage asking, e.g. "export onnx".

        Returns:
            str: The checkpoint path (existence is the loader's concern).
        """
        if self.checkpoint_path is None:
            expected("checkpoint_path", f"required by {stage}", "a checkpoint file path", None)
        return self.checkpoint_path

    @property
    def config_hash(self) -> str:
        """str: sha256 of the canonical JSON of the raw config."""
        text = json.dumps(_plain(self.raw), sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_json_dict(self) -> dict:
        """The raw config as plain JSON data."""
        return _plain(self.raw)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _awml_log_path(reader: SectionReader, logging: LoggingConfig) -> LoggingConfig:
    """AWML's ``deploy_log_path``: its file name becomes ``logging.file`` (the log of each run lives in the run
    directory, next to the report); a folder part, or None/blank (AWML: no file log), is noted in one line."""
    if not reader.has("deploy_log_path"):
        return logging
    value = reader.get("deploy_log_path", optional(as_str), None, allow_empty=True)
    if value is None or not value.strip():
        _LOG.warning("deploy_log_path | %r: every run keeps its log in its run directory (logging.file)", value)
        return logging
    name = value.strip().replace("\\", "/").rsplit("/", 1)[-1]
    if name != value.strip():
        _LOG.warning("deploy_log_path | %r: the log is written as %s in each run directory", value, name)
    section = reader.data.get("logging")
    if isinstance(section, Mapping) and "file" in section and section["file"] != name:
        expected("deploy_log_path", "differs from logging.file", "one of the two", value)
    return dataclasses.replace(logging, file=name)


def parse_config(raw: object) -> DeployConfig:
    """Validates a raw mapping into a :class:`DeployConfig`.

    Args:
        raw (object): The loaded config (dict from a Python/YAML/JSON file).

    Returns:
        DeployConfig: The validated config.
    """
    reader = SectionReader(raw, "")

    def section(name: str) -> Any:
        return reader.get(name, lambda value, path: value, None)

    devices = parse_devices(section("devices"))
    config = DeployConfig(
        checkpoint_path=reader.get("checkpoint_path", optional(as_str), None),
        devices=devices,
        export=parse_export(section("export")),
        components=parse_components(section("components")),
        runtime_io=parse_runtime_io(section("runtime_io")),
        onnx_config=parse_onnx_config(section("onnx_config")),
        tensorrt_config=parse_tensorrt_config(section("tensorrt_config")),
        verification=parse_verification(section("verification"), devices),
        evaluation=parse_evaluation(section("evaluation"), devices),
        logging=_awml_log_path(reader, parse_logging(section("logging"))),
        project=_freeze(dict(reader.get("project", as_mapping, {}))),
        raw=_freeze(dict(reader.data)),
    )
    reader.finish()
    return config
