"""Verification stage: every scenario of the active export mode, compared sample by sample."""

from __future__ import annotations

from collections.abc import Callable

from awml_deploy.config.stages import Scenario
from awml_deploy.core.enums import Backend
from awml_deploy.core.errors import EXIT_USAGE, DeployError, describe_unexpected, expected
from awml_deploy.core.logging import get_logger
from awml_deploy.core.samples import SampleSource
from awml_deploy.pipelines.base import ModelSpec
from awml_deploy.pipelines.factory import PipelineFactory
from awml_deploy.runtime.context import RunContext
from awml_deploy.runtime.results import FAILED, SKIPPED
from awml_deploy.verification.comparator import make_comparator
from awml_deploy.verification.mixin import VerificationMixin
from awml_deploy.verification.results import ScenarioResult
from awml_deploy.verification.tolerances import Tolerances

_LOG = get_logger("verification")


def _top_name(path: str) -> str:
    """ "boxes.center" / "boxes[0]" -> "boxes" (the tolerance lookup's fallback key)."""
    for sep in (".", "["):
        path = path.split(sep, 1)[0]
    return path


class VerificationOrchestrator:
    """Runs the verification scenarios of ``export.mode``.

    Args:
        context (RunContext): Run state.
        factory (PipelineFactory): Builds pipelines.
        samples (Callable[[], SampleSource]): Returns the data.
        verifier (VerificationMixin): Usually the project's evaluator.
    """

    def __init__(
        self,
        context: RunContext,
        factory: PipelineFactory,
        samples: Callable[[], SampleSource],
        verifier: VerificationMixin,
    ) -> None:
        self.context = context
        self.factory = factory
        self.samples = samples
        self.verifier = verifier

    def run(self) -> None:
        """Runs every scenario and records one gate per scenario."""
        config = self.context.config
        if not config.verification.enabled:
            self.context.result.verification["_status"] = {"status": SKIPPED, "reason": "verification.enabled is false"}
            return
        scenarios = config.verification.scenarios_for(config.export.mode)
        if not scenarios:
            self.context.result.verification["_status"] = {
                "status": SKIPPED,
                "reason": f"no scenarios for mode {config.export.mode}",
            }
        for index, scenario in enumerate(scenarios):
            _LOG.info(
                "scenario %d/%d: %s@%s vs %s@%s",
                index + 1,
                len(scenarios),
                scenario.ref_backend,
                scenario.ref_device,
                scenario.test_backend,
                scenario.test_device,
            )
            result = self._run_scenario(scenario)
            self.context.result.verification[scenario.key] = result.to_json_dict()
            self.context.result.add_gate(f"verification.{scenario.key}", result.status, result.reason)
            log = _LOG.info if result.status != FAILED else _LOG.error
            log("%s: %s %s", scenario.key, result.status.upper(), result.reason)
        self._check_per_output_names()

    def _check_per_output_names(self) -> None:
        """A ``verification.per_output`` name that matches no declared output and no compared output is an error
        (it would silently tolerate nothing). Derived outputs (e.g. decoded boxes) are known only after a scenario
        compared them, so the check runs here, once a scenario has results."""
        config = self.context.config
        names = set(config.verification.per_output)
        if not names:
            return
        known = {o.name for c in config.components.values() for o in c.io.outputs}
        compared = False
        for entry in self.context.result.verification.values():
            summary = entry.get("summary") if isinstance(entry, dict) else None
            if summary:
                compared = True
                known |= set(summary) | {_top_name(path) for path in summary}
        unknown = sorted(n for n in names if n not in known and _top_name(n) not in known)
        if unknown and compared:
            expected(
                f"verification.per_output.{unknown[0]}",
                "names no output of the model",
                "one of " + "|".join(sorted(known)),
                unknown[0],
            )

    def _precision(self, scenario: Scenario) -> str:
        reduced = self.context.config.tensorrt_config.precision_policy.is_reduced_precision
        return "fp16" if Backend.TENSORRT in scenario.backends and reduced else "fp32"

    def _run_scenario(self, scenario: Scenario) -> ScenarioResult:
        ctx = self.context
        if Backend.TENSORRT in scenario.backends and not ctx.tensorrt.available:
            _LOG.warning(ctx.tensorrt_skip_reason)
            return ScenarioResult(scenario.key, SKIPPED, ctx.tensorrt_skip_reason)
        if Backend.PYTORCH in scenario.backends:
            ctx.config.require_checkpoint(f"verification scenario {scenario.key}")
        specs = []
        for backend, device in (
            (scenario.ref_backend, scenario.ref_device),
            (scenario.test_backend, scenario.test_device),
        ):
            resolution = ctx.artifacts.resolve(backend)
            if resolution is None:
                return ScenarioResult(
                    scenario.key, FAILED, f"no {backend} artifact (not exported, configured or found)"
                )
            specs.append(ModelSpec(backend, device, resolution.artifact))
        precision = self._precision(scenario)
        tolerances = Tolerances.from_config(
            ctx.config.verification.tolerances[precision], ctx.config.verification.per_output
        )
        pipelines = []
        try:
            pipelines = [self.factory.create(spec) for spec in specs]
            result = self.verifier.verify(
                scenario.key,
                pipelines[0],
                pipelines[1],
                self.samples(),
                ctx.config.verification.num_verify_samples,
                make_comparator(tolerances),
                ctx.progress(),
            )
        except DeployError as err:
            if err.exit_code == EXIT_USAGE:
                raise
            return ScenarioResult(scenario.key, FAILED, str(err))
        except Exception as err:  # noqa: BLE001 - project pipelines; one line, traceback in the log file
            return ScenarioResult(scenario.key, FAILED, describe_unexpected(f"verification {scenario.key}", err))
        finally:
            for pipeline in pipelines:
                pipeline.close()
        artifacts = {"ref": specs[0].artifact.path, "test": specs[1].artifact.path}
        return ScenarioResult(
            result.key, result.status, result.reason, precision, tolerances.to_json_dict(), result.samples, artifacts
        )
