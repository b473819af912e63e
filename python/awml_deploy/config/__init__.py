"""Deployment config: frozen dataclasses per section, loaders (Python/YAML/JSON) and overrides."""

from awml_deploy.config.components import ComponentConfig, ComponentIO, TensorRTProfile, TensorSpec
from awml_deploy.config.deploy_config import DeployConfig, parse_config
from awml_deploy.config.loader import load_config, load_raw
from awml_deploy.config.overrides import apply_overrides
from awml_deploy.config.sections import (
    DevicesConfig,
    ExportConfig,
    LoggingConfig,
    OnnxConfig,
    RuntimeIOConfig,
    TensorRTConfig,
)
from awml_deploy.config.stages import EvalBackendConfig, EvaluationConfig, Scenario, Tolerance, VerificationConfig

__all__ = [
    "ComponentConfig",
    "ComponentIO",
    "DeployConfig",
    "DevicesConfig",
    "EvalBackendConfig",
    "EvaluationConfig",
    "ExportConfig",
    "LoggingConfig",
    "OnnxConfig",
    "RuntimeIOConfig",
    "Scenario",
    "TensorRTConfig",
    "TensorRTProfile",
    "TensorSpec",
    "Tolerance",
    "VerificationConfig",
    "apply_overrides",
    "load_config",
    "load_raw",
    "parse_config",
]
