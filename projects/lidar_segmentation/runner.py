"""The LiDAR segmentation project: ``PROJECT = ProjectSpec("lidar_segmentation", ...)``.

Everything is injected into the framework's :class:`BaseDeploymentRunner`: the checkpoint loader (a plain-torch
range-image network, see model.py for why not an mmdet3d segmentor), the evaluation frames (synthetic scenes with
per-point labels), the export sample adapter (one cloud, dynamic point count), the pipelines (the framework's
SegmentationPipeline on every backend) and the evaluator (per-point mIoU; logits + label-agreement verification).
torch is imported only when a model is loaded.

The ``project`` section of the deploy config (all keys optional)::

    project = dict(
        model=dict(num_classes=7, width=16, rows=32, cols=900, sensor_height=1.8,
                   elevation_min_deg=-25.0, elevation_max_deg=8.0),
        min_label_agreement=0.999,   # verification gate on per-point argmax labels
        eval_limit=None,             # use only the first N evaluation frames
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
from projects.lidar_segmentation.dataset import LABELS, SegmentationScenes
from projects.lidar_segmentation.evaluator import LidarSegmentationEvaluator
from projects.lidar_segmentation.model import ModelSettings, load_model
from projects.lidar_segmentation.pipelines import PROJECT as PROJECT_NAME
from projects.lidar_segmentation.pipelines import PointsSampleAdapter, pipeline_registry

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "configs" / "deploy_default.py"
DEFAULT_EVAL_SET = HERE / "assets" / "eval_scenes.json"
_KEYS = ("model", "min_label_agreement", "eval_limit")


@dataclasses.dataclass(frozen=True)
class ProjectSettings:
    """The validated ``project`` section.

    Attributes:
        model: Architecture.
        min_label_agreement: Verification gate on per-point labels (0..1).
        eval_limit: Evaluation frames to use (None = all).
    """

    model: ModelSettings
    min_label_agreement: float = 0.999
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
    if model.num_classes != len(LABELS):
        expected("project.model.num_classes", "does not match the labels", f"{len(LABELS)} {LABELS}", model.num_classes)
    agreement = section.get("min_label_agreement", 0.999)
    if isinstance(agreement, bool) or not isinstance(agreement, (int, float)) or not 0.0 <= agreement <= 1.0:
        expected("project.min_label_agreement", "out of range", "a number in [0, 1]", agreement)
    limit = section.get("eval_limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        expected("project.eval_limit", "must be a positive integer or None", "an int >= 1 or None", limit)
    return ProjectSettings(model, float(agreement), limit)


class LidarSegmentationRunner(BaseDeploymentRunner):
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
            samples=functools.partial(SegmentationScenes, eval_set, settings.eval_limit),
            export_pipeline=ExportPipeline(WholeModelBuilder(component), PointsSampleAdapter()),
            evaluator=LidarSegmentationEvaluator(LABELS, settings.min_label_agreement),
            pipelines=pipeline_registry(LABELS),
        )
        self.settings = settings


def _load(checkpoint_path: str, device: str, settings: ModelSettings):
    return load_model(checkpoint_path, device, settings)


PROJECT = ProjectSpec(
    PROJECT_NAME,
    LidarSegmentationRunner,
    default_config=str(DEFAULT_CONFIG),
    description="LiDAR point segmentation (range-image U-Net, 7 classes) on synthetic scenes",
)
