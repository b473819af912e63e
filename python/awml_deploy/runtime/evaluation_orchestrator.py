"""Evaluation stage: each enabled backend, then cross-backend deltas of the primary metric."""

from __future__ import annotations

from collections.abc import Callable

from awml_deploy.core.enums import Backend
from awml_deploy.core.errors import EXIT_USAGE, DeployError, describe_unexpected, fail
from awml_deploy.core.logging import get_logger
from awml_deploy.core.samples import SampleSource
from awml_deploy.evaluation.evaluator import BaseEvaluator
from awml_deploy.pipelines.base import ModelSpec
from awml_deploy.pipelines.factory import PipelineFactory
from awml_deploy.runtime.context import RunContext
from awml_deploy.runtime.results import FAILED, PASSED, SKIPPED

_LOG = get_logger("evaluation")


class EvaluationOrchestrator:
    """Evaluates every enabled backend.

    Args:
        context (RunContext): Run state.
        factory (PipelineFactory): Builds pipelines.
        samples (Callable[[], SampleSource]): Returns the data.
        evaluator (BaseEvaluator | None): The project's evaluator.
    """

    def __init__(
        self,
        context: RunContext,
        factory: PipelineFactory,
        samples: Callable[[], SampleSource],
        evaluator: BaseEvaluator | None,
    ) -> None:
        self.context = context
        self.factory = factory
        self.samples = samples
        self.evaluator = evaluator

    def run(self) -> None:
        """Evaluates, records one gate per backend and the delta gate."""
        ctx = self.context
        config = ctx.config.evaluation
        if not config.enabled:
            ctx.result.evaluation["_status"] = {"status": SKIPPED, "reason": "evaluation.enabled is false"}
            return
        if self.evaluator is None:
            fail("evaluation.enabled | this project has no evaluator. Note: expected false, got true")
        for backend, backend_config in config.backends.items():
            if backend_config.enabled:
                self._evaluate(backend, backend_config.device)
        self._deltas()

    def _evaluate(self, backend: Backend, device) -> None:
        ctx = self.context
        gate = f"evaluation.{backend}"
        if backend is Backend.TENSORRT and not ctx.tensorrt.available:
            _LOG.warning(ctx.tensorrt_skip_reason)
            ctx.result.evaluation[backend.value] = {"status": SKIPPED, "reason": ctx.tensorrt_skip_reason}
            ctx.result.add_gate(gate, SKIPPED, ctx.tensorrt_skip_reason)
            return
        if backend is Backend.PYTORCH:
            ctx.config.require_checkpoint("evaluation of pytorch")
        resolution = ctx.artifacts.resolve(backend)
        if resolution is None:
            return self._failed(backend, f"no {backend} artifact (not exported, configured or found)")
        pipeline = None
        try:
            pipeline = self.factory.create(ModelSpec(backend, device, resolution.artifact))
            result = self.evaluator.evaluate(
                pipeline,
                self.samples(),
                ctx.config.evaluation.num_samples,
                ctx.config.evaluation.warmup,
                ctx.progress(),
            )
        except DeployError as err:
            if err.exit_code == EXIT_USAGE:
                raise
            return self._failed(backend, str(err))
        except Exception as err:  # noqa: BLE001 - project evaluator/pipelines; traceback in the log file
            return self._failed(backend, describe_unexpected(f"evaluation {backend}", err))
        finally:
            if pipeline is not None:
                pipeline.close()
        below = self._below_floor(result)
        status = FAILED if below else PASSED
        ctx.result.evaluation[backend.value] = {"status": status, **result, "artifact": resolution.artifact.path}
        if below:
            _LOG.error("evaluation %s failed: %s", backend, below)
            ctx.result.evaluation[backend.value]["reason"] = below
        ctx.result.add_gate(gate, status, below)

    def _below_floor(self, result: dict) -> str:
        """Why ``result`` misses ``evaluation.min_primary_metric`` ("" when there is no floor or it is met)."""
        floor = self.context.config.evaluation.min_primary_metric
        if floor is None:
            return ""
        primary = result.get("primary_metric") or {}
        value = primary.get("value")
        if value is None:
            return f"no primary metric to hold against evaluation.min_primary_metric {floor:g}"
        if value < floor:
            return f"{primary.get('name', 'primary metric')} {value:.4f} < evaluation.min_primary_metric {floor:g}"
        return ""

    def _failed(self, backend: Backend, reason: str) -> None:
        _LOG.error("evaluation %s failed: %s", backend, reason)
        self.context.result.evaluation[backend.value] = {"status": FAILED, "reason": reason}
        self.context.result.add_gate(f"evaluation.{backend}", FAILED, reason)

    def _deltas(self) -> None:
        ctx = self.context
        ref = ctx.result.evaluation.get(Backend.PYTORCH.value, {})
        ref_value = ref.get("primary_metric", {}).get("value")
        if ref_value is None:
            return
        limit = ctx.config.evaluation.max_primary_metric_delta
        for name, entry in ctx.result.evaluation.items():
            value = entry.get("primary_metric", {}).get("value") if isinstance(entry, dict) else None
            if name == Backend.PYTORCH.value or value is None:
                continue
            delta = value - ref_value
            metric = entry["primary_metric"]["name"]
            ctx.result.deltas[name] = {"metric": metric, "reference": ref_value, "value": value, "delta": delta}
            _LOG.info("cross-backend %s: %s %.6f vs pytorch %.6f (delta %+.6f)", name, metric, value, ref_value, delta)
            if limit is not None:
                ok = abs(delta) <= limit
                ctx.result.add_gate(
                    f"evaluation.delta.{name}",
                    PASSED if ok else FAILED,
                    "" if ok else f"|{metric} delta| {abs(delta):.6g} > {limit:g}",
                )
