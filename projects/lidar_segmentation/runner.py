"""The LiDAR segmentation project: ``PROJECT = ProjectSpec("lidar_segmentation", ...)``.

A thin user of :class:`awml_deploy.runtime.single_network.SingleNetworkRunner`: the checkpoint loader (a plain-torch
range-image network, see model.py for why not an mmdet3d segmentor), the evaluation frames (synthetic scenes with
per-point labels), the pipelines (the framework's SegmentationPipeline on every backend) and the evaluator
(per-point mIoU; logits + label-agreement verification). torch is imported only when a model is loaded.

The ``project`` section of the deploy config (all keys optional; :class:`LidarSegmentationSettings`)::

    project = dict(
        model=dict(num_classes=7, width=16, rows=32, cols=900, sensor_height=1.8,
                   elevation_min_deg=-25.0, elevation_max_deg=8.0),
        min_label_agreement=0.999,   # verification gate on per-point argmax labels
        eval_limit=None,             # use only the first N evaluation frames
        trust_checkpoint=False,      # True: a checkpoint that is not weights-only may be unpickled (runs its code)
    )
"""

from __future__ import annotations

import dataclasses
import functools
import pathlib

from awml_deploy.config.deploy_config import DeployConfig
from awml_deploy.config.reader import as_bool, as_float, as_int, optional
from awml_deploy.config.settings import read_settings, section, setting
from awml_deploy.core.errors import expected
from awml_deploy.runtime import ProjectSpec
from awml_deploy.runtime.single_network import SingleNetworkRunner
from projects.lidar_segmentation.dataset import LABELS, SegmentationScenes
from projects.lidar_segmentation.evaluator import LidarSegmentationEvaluator
from projects.lidar_segmentation.model import ModelSettings, load_model
from projects.lidar_segmentation.pipelines import PROJECT as PROJECT_NAME
from projects.lidar_segmentation.pipelines import model_inputs, pipeline_registry

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "configs" / "deploy_default.py"
DEFAULT_EVAL_SET = HERE / "assets" / "eval_scenes.json"


@dataclasses.dataclass(frozen=True)
class LidarSegmentationSettings:
    """The ``project`` section.

    Attributes:
        model: Architecture.
        min_label_agreement: Verification gate on per-point labels (0..1).
        eval_limit: Evaluation frames to use (None = all).
        trust_checkpoint: Allow a full unpickle of a checkpoint that is not weights-only (runs code from the file).
    """

    model: ModelSettings = section(ModelSettings)
    min_label_agreement: float = setting(0.999, as_float, minimum=0.0, maximum=1.0)
    eval_limit: int | None = setting(None, optional(as_int), minimum=1)
    trust_checkpoint: bool = setting(False, as_bool)

    def check(self, path: str) -> None:
        """The model must fit the labels."""
        if self.model.num_classes != len(LABELS):
            got = self.model.num_classes
            expected(f"{path}.model.num_classes", "does not match the labels", f"{len(LABELS)} {LABELS}", got)


class LidarSegmentationRunner(SingleNetworkRunner):
    """Thin runner: the settings are read and every input checked here, before any work.

    Args:
        config (DeployConfig): Validated deploy config.
    """

    project_name = PROJECT_NAME

    def __init__(self, config: DeployConfig) -> None:
        settings = read_settings(LidarSegmentationSettings, config.project, "project")
        samples = SegmentationScenes(config.runtime_io.info_file or str(DEFAULT_EVAL_SET), settings.eval_limit)
        super().__init__(
            config,
            load_model=functools.partial(load_model, settings=settings.model, trusted=settings.trust_checkpoint),
            samples=samples,
            to_inputs=model_inputs,
            evaluator=LidarSegmentationEvaluator(LABELS, settings.min_label_agreement),
            pipelines=pipeline_registry(LABELS),
        )
        self.settings = settings


PROJECT = ProjectSpec(
    PROJECT_NAME,
    LidarSegmentationRunner,
    default_config=str(DEFAULT_CONFIG),
    description="LiDAR point segmentation (range-image U-Net, 7 classes) on synthetic scenes",
)
