"""`BaseDeploymentRunner`: sequencing only; projects inject loaders, data, export pipelines and evaluators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awml_deploy.config.deploy_config import DeployConfig
from awml_deploy.core.artifacts import ArtifactManager
from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.enums import Backend
from awml_deploy.core.errors import DeployError, fail, fail_unexpected
from awml_deploy.core.samples import SampleSource
from awml_deploy.evaluation.evaluator import BaseEvaluator
from awml_deploy.exporters.pipeline import ExportPipeline, WholeModelBuilder
from awml_deploy.pipelines.factory import PipelineContext, PipelineFactory, PipelineRegistry
from awml_deploy.runtime.context import RunContext
from awml_deploy.runtime.evaluation_orchestrator import EvaluationOrchestrator
from awml_deploy.runtime.export_orchestrator import ExportOrchestrator
from awml_deploy.runtime.results import SKIPPED
from awml_deploy.runtime.verification_orchestrator import VerificationOrchestrator
from awml_deploy.verification.mixin import VerificationMixin

ModelLoader = Callable[[str, str], Any]


class BaseDeploymentRunner:
    """Runs export → verification → evaluation for one project.

    Args:
        config (DeployConfig): Validated config.
        load_model (ModelLoader): ``(checkpoint_path, device) -> torch module`` (called lazily, cached per device).
        samples (SampleSource | Callable[[], SampleSource]): Data, or a zero-argument function building it lazily.
        export_pipeline (ExportPipeline | None): Component builder + sample adapter. Defaults to the whole model
            as the only component (one-component configs).
        evaluator (BaseEvaluator | None): Evaluator (also used for verification). Defaults to none.
        pipelines (PipelineRegistry | None): Pipeline builders. Defaults to the generic ones.
        project (str | None): Project name for pipeline lookup and the report. Defaults to the class attribute.
    """

    project_name: str | None = None

    def __init__(
        self,
        config: DeployConfig,
        load_model: ModelLoader,
        samples: SampleSource | Callable[[], SampleSource],
        export_pipeline: ExportPipeline | None = None,
        evaluator: BaseEvaluator | None = None,
        pipelines: PipelineRegistry | None = None,
        project: str | None = None,
    ) -> None:
        self.config = config
        self._load_model = load_model
        self._samples = samples
        self._samples_cache: SampleSource | None = None
        self.export_pipeline = export_pipeline
        self.evaluator = evaluator
        self.pipelines = pipelines
        self.project = self.project_name if project is None else project
        self._models: dict[str, Any] = {}

    def samples(self) -> SampleSource:
        """The data (built on first use)."""
        if self._samples_cache is None:
            source = self._samples
            is_source = hasattr(source, "get_sample") and not isinstance(source, type)
            self._samples_cache = source if is_source else source()
        return self._samples_cache

    def load_pytorch_model(self, device: DeviceSpec) -> Any:
        """The PyTorch model on ``device`` (loaded once per device from ``checkpoint_path``)."""
        key = str(device)
        if key not in self._models:
            checkpoint = self.config.require_checkpoint("loading the PyTorch model")
            try:
                model = self._load_model(checkpoint, key)
            except DeployError:
                raise
            except Exception as err:  # noqa: BLE001 - project loader; reported on one line
                if "Error(s) in loading state_dict" in str(err):  # torch's load_state_dict: the input does not fit
                    fail(
                        f"checkpoint {checkpoint} | the state dict does not fit the model. Note: expected the "
                        f"project's architecture, got {' '.join(str(err).split())[:300]}",
                        cause=err,
                    )
                fail_unexpected(f"loading the PyTorch model from {checkpoint}", err)
            self._models[key] = model.eval() if hasattr(model, "eval") else model
        return self._models[key]

    def artifact_manager(self) -> ArtifactManager:
        """Artifact manager with configured (evaluation.backends.*.artifact) and fallback paths."""
        config = self.config
        configured = {b: c.artifact for b, c in config.evaluation.backends.items() if c.artifact is not None}
        fallbacks = {Backend.PYTORCH: config.checkpoint_path, Backend.ONNX: config.export.onnx_path}
        return ArtifactManager(configured, {b: p for b, p in fallbacks.items() if p is not None})

    def _export_pipeline(self) -> ExportPipeline:
        if self.export_pipeline is not None:
            return self.export_pipeline
        components = list(self.config.components.values())
        if len(components) != 1:
            fail(
                f"components | {len(components)} components need a project export pipeline. Note: expected the "
                f"runner to pass export_pipeline, got none for {[c.name for c in components]}"
            )
        return ExportPipeline(WholeModelBuilder(components[0]))

    def run(self, context: RunContext) -> None:
        """Runs the three stages into ``context.result``.

        Args:
            context (RunContext): Run state (config, run dir, artifacts, TensorRT probe).
        """
        factory = PipelineFactory(
            PipelineContext(self.config.components, self.load_pytorch_model), self.project, self.pipelines
        )
        exported = ExportOrchestrator(context, self.load_pytorch_model, self.samples, self._export_pipeline()).run()
        if not exported:
            for stage in ("verification", "evaluation"):
                getattr(context.result, stage)["_status"] = {"status": SKIPPED, "reason": "export failed"}
            return
        verifier = self.evaluator if self.evaluator is not None else VerificationMixin()
        VerificationOrchestrator(context, factory, self.samples, verifier).run()
        EvaluationOrchestrator(context, factory, self.samples, self.evaluator).run()
