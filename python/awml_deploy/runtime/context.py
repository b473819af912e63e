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
from awml_deploy.runtime.housekeeping import Housekeeping
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
        housekeeping: What this run cleaned up or moved aside in the work dir.
    """

    config: DeployConfig
    run_dir: pathlib.Path
    artifacts: ArtifactManager
    tensorrt: TensorRTAvailability
    result: DeploymentResult = dataclasses.field(default_factory=DeploymentResult)
    housekeeping: Housekeeping = dataclasses.field(default_factory=Housekeeping)
    retired: bool = False

    def retire_outputs(self, names: list[str]) -> None:
        """Moves aside an earlier run's content of the output folders ``names`` (once per run, before writing)."""
        from awml_deploy.runtime.housekeeping import retire_outputs

        if not self.retired:
            retire_outputs(self.work_dir, names, self.housekeeping)
            self.retired = True

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
