"""`RunContext`: what the orchestrators share during one run."""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Callable
from typing import Any

from awml_deploy.config.deploy_config import DeployConfig
from awml_deploy.core.artifacts import ArtifactManager
from awml_deploy.core.native import TensorRTAvailability
from awml_deploy.core.progress import progress
from awml_deploy.runtime.results import DeploymentResult


@dataclasses.dataclass
class RunContext:
    """Shared state of one run.

    Attributes:
        config: The validated config.
        run_dir: This run's directory (log, report).
        artifacts: Artifact manager.
        tensorrt: TensorRT availability probe.
        result: The result being filled in.
    """

    config: DeployConfig
    run_dir: pathlib.Path
    artifacts: ArtifactManager
    tensorrt: TensorRTAvailability
    result: DeploymentResult = dataclasses.field(default_factory=DeploymentResult)

    @property
    def work_dir(self) -> pathlib.Path:
        """pathlib.Path: The work directory."""
        return pathlib.Path(self.config.export.work_dir)

    def progress(self) -> Callable[[range, str], Any]:
        """A loop wrapper honouring ``logging.progress``."""
        enabled = None if self.config.logging.progress else False
        return lambda items, desc: progress(items, desc, enabled)

    @property
    def tensorrt_skip_reason(self) -> str:
        """str: "tensorrt: skipped — <reason>"."""
        return f"tensorrt: skipped — {self.tensorrt.reason}"
