"""Core types: backends, devices, export modes, precision policies, errors, logging, artifacts."""

from awml_deploy.core.device import CPU, DeviceSpec
from awml_deploy.core.enums import Backend, ExportMode, PrecisionPolicy
from awml_deploy.core.errors import EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE, DeployError, fail

__all__ = [
    "CPU",
    "EXIT_GATE_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Backend",
    "DeployError",
    "DeviceSpec",
    "ExportMode",
    "PrecisionPolicy",
    "fail",
]
