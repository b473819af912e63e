"""The CalibrationStatusClassification project: ``PROJECT = ProjectSpec("calibration_status", ...)``.

Everything is injected into the framework's :class:`BaseDeploymentRunner`: the checkpoint loader (mmdet ResNet-18,
5 input channels), the evaluation set (synthetic camera–LiDAR pairs), the export sample adapter (preprocessed
input), the pipelines (projection preprocessing on every backend) and the evaluator (classification metrics,
confusion matrix, class-agreement verification gate). torch and mmdet are imported only when a model is loaded.

The ``project`` section of the deploy config (all keys optional)::

    project = dict(
        preprocess=dict(height=96, width=160, mean=[128] * 3, std=[64] * 3, max_depth=60.0, min_depth=0.5),
        model=dict(depth=18, in_channels=5, base_channels=16, num_classes=2),
        min_class_agreement=1.0,   # verification gate on predicted classes
        eval_limit=None,           # use only the first N samples of the evaluation set
    )
"""

from __future__ import annotations

import dataclasses
import functools
import pathlib
from collections.abc import Mapping

from awml_deploy.config.deploy_config import DeployConfig
from awml_deploy.core.errors import expected
from awml_deploy.exporters import ExportPipeline, WholeModelBuilder
from awml_deploy.runtime import BaseDeploymentRunner, ProjectSpec
from projects.calibration_status.dataset import CalibrationSamples
from projects.calibration_status.evaluator import CalibrationEvaluator
from projects.calibration_status.miscalibration import LABELS
from projects.calibration_status.model import ModelSettings, load_model
from projects.calibration_status.pipelines import PROJECT as PROJECT_NAME
from projects.calibration_status.pipelines import PreprocessedSampleAdapter, pipeline_registry
from projects.calibration_status.projection import NUM_CHANNELS, PreprocessSettings

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "configs" / "deploy_config.py"
DEFAULT_EVAL_SET = HERE / "assets" / "eval_set.json"
_KEYS = ("preprocess", "model", "min_class_agreement", "eval_limit")


@dataclasses.dataclass(frozen=True)
class ProjectSettings:
    """The validated ``project`` section.

    Attributes:
        preprocess: Input construction.
        model: Architecture.
        min_class_agreement: Verification gate on predicted classes (0..1).
        eval_limit: Samples of the evaluation set to use (None = all).
    """

    preprocess: PreprocessSettings
    model: ModelSettings
    min_class_agreement: float = 1.0
    eval_limit: int | None = None


def parse_project(section: Mapping | None) -> ProjectSettings:
    """Validates the ``project`` config section.

    Args:
        section (Mapping | None): The section. None means all defaults.

    Returns:
        ProjectSettings: The settings.
    """
    section = {} if section is None else dict(section)
    unknown = sorted(set(section) - set(_KEYS))
    if unknown:
        expected("project", "unknown keys", f"keys from {list(_KEYS)}", unknown)
    model = ModelSettings.from_mapping(section.get("model"))
    if model.in_channels != NUM_CHANNELS:
        expected("project.model.in_channels", "does not match the preprocessing", f"{NUM_CHANNELS}", model.in_channels)
    if model.num_classes != len(LABELS):
        expected("project.model.num_classes", "does not match the labels", f"{len(LABELS)} {LABELS}", model.num_classes)
    agreement = section.get("min_class_agreement", 1.0)
    if isinstance(agreement, bool) or not isinstance(agreement, (int, float)) or not 0.0 <= agreement <= 1.0:
        expected("project.min_class_agreement", "out of range", "a number in [0, 1]", agreement)
    limit = section.get("eval_limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        expected("project.eval_limit", "must be a positive integer or None", "an int >= 1 or None", limit)
    return ProjectSettings(PreprocessSettings.from_mapping(section.get("preprocess")), model, float(agreement), limit)


class CalibrationStatusRunner(BaseDeploymentRunner):
    """Thin runner: everything is injected.

    Args:
        config (DeployConfig): Validated deploy config.
    """

    project_name = PROJECT_NAME

    def __init__(self, config: DeployConfig) -> None:
        settings = parse_project(config.project)
        if len(config.components) != 1:
            expected("components", "one component expected", "a single 'model' component", list(config.components))
        component = next(iter(config.components.values()))
        eval_set = config.runtime_io.info_file or str(DEFAULT_EVAL_SET)
        super().__init__(
            config,
            load_model=functools.partial(_load, settings=settings.model),
            samples=functools.partial(CalibrationSamples, eval_set, settings.eval_limit),
            export_pipeline=ExportPipeline(
                WholeModelBuilder(component), PreprocessedSampleAdapter(settings.preprocess)
            ),
            evaluator=CalibrationEvaluator(LABELS, settings.min_class_agreement),
            pipelines=pipeline_registry(settings.preprocess, LABELS),
        )
        self.settings = settings


def _load(checkpoint_path: str, device: str, settings: ModelSettings):
    return load_model(checkpoint_path, device, settings)


PROJECT = ProjectSpec(
    PROJECT_NAME,
    CalibrationStatusRunner,
    default_config=str(DEFAULT_CONFIG),
    description="camera–LiDAR calibration status classifier (ResNet-18, 5 channels) on synthetic scenes",
)
