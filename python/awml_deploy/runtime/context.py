"""`RunContext`: what the orchestrators share during one run."""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Callable
from typing import Any

from awml_deploy.config.deploy_config import DeployConfig
from awml_deploy.core.artifacts import ArtifactManager
from awml_deploy.core.errors import DeployError
from awml_deploy.core.native import TensorRTAvailability
from awml_deploy.core.progress import progress
from awml_deploy.report.json_report import RunRecord
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

    def record(
        self, project: str | None, started: float, finished: float, log_file: str | None, error: DeployError | None
    ) -> RunRecord:
        """The plain record of this run that the report renders.

        Args:
            project (str | None): Project name.
            started (float): Start time (epoch seconds).
            finished (float): End time (epoch seconds).
            log_file (str | None): Log file path.
            error (DeployError | None): A run-stopping error, if any.

        Returns:
            RunRecord: The record.
        """
        result = self.result
        artifacts = {
            b.value: {**r.artifact.to_json_dict(), "source": r.source} for b, r in self.artifacts.all_resolved().items()
        }
        return RunRecord(
            project=project,
            run_dir=str(self.run_dir),
            log_file=log_file,
            started=started,
            finished=finished,
            export_mode=self.config.export.mode.value,
            config_hash=self.config.config_hash,
            config=self.config.to_json_dict(),
            tensorrt=dataclasses.asdict(self.tensorrt),
            artifacts=artifacts,
            gates=[g.to_json_dict() for g in result.gates],
            export=result.export,
            verification=result.verification,
            evaluation=result.evaluation,
            deltas=result.deltas,
            housekeeping=self.housekeeping.to_json_dict(),
            error=error,
        )
