"""The CalibrationStatusClassification project: ``PROJECT = ProjectSpec("calibration_status", ...)``.

A thin user of :class:`awml_deploy.runtime.single_network.SingleNetworkRunner`: the checkpoint loader (mmdet
ResNet-18, 5 input channels), the evaluation set (synthetic camera–LiDAR pairs), the pipelines (projection
preprocessing on every backend) and the evaluator (classification metrics, confusion matrix, class-agreement
verification gate). torch and mmdet are imported only when a model is loaded.

The ``project`` section of the deploy config (all keys optional; :class:`CalibrationSettings`)::

    project = dict(
        preprocess=dict(height=96, width=160, mean=[128] * 3, std=[64] * 3, max_depth=60.0, min_depth=0.5),
        model=dict(depth=18, in_channels=5, base_channels=16, num_classes=2),
        min_class_agreement=1.0,   # verification gate on predicted classes
        eval_limit=None,           # use only the first N samples of the evaluation set
        trust_checkpoint=False,    # True: a checkpoint that is not weights-only may be unpickled (runs its code)
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
from projects.calibration_status.dataset import CalibrationSamples
from projects.calibration_status.evaluator import CalibrationEvaluator
from projects.calibration_status.miscalibration import LABELS
from projects.calibration_status.model import ModelSettings, load_model
from projects.calibration_status.pipelines import PROJECT as PROJECT_NAME
from projects.calibration_status.pipelines import model_inputs, pipeline_registry
from projects.calibration_status.projection import NUM_CHANNELS, PreprocessSettings

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "configs" / "deploy_default.py"
DEFAULT_EVAL_SET = HERE / "assets" / "eval_set.json"


@dataclasses.dataclass(frozen=True)
class CalibrationSettings:
    """The ``project`` section.

    Attributes:
        preprocess: Input construction.
        model: Architecture.
        min_class_agreement: Verification gate on predicted classes (0..1).
        eval_limit: Samples of the evaluation set to use (None = all).
        trust_checkpoint: Allow a full unpickle of a checkpoint that is not weights-only (runs code from the file).
    """

    preprocess: PreprocessSettings = section(PreprocessSettings)
    model: ModelSettings = section(ModelSettings)
    min_class_agreement: float = setting(1.0, as_float, minimum=0.0, maximum=1.0)
    eval_limit: int | None = setting(None, optional(as_int), minimum=1)
    trust_checkpoint: bool = setting(False, as_bool)

    def check(self, path: str) -> None:
        """The model must fit the preprocessing and the labels."""
        if self.model.in_channels != NUM_CHANNELS:
            expected(
                f"{path}.model.in_channels", "does not match the preprocessing", NUM_CHANNELS, self.model.in_channels
            )
        if self.model.num_classes != len(LABELS):
            expected(
                f"{path}.model.num_classes",
                "does not match the labels",
                f"{len(LABELS)} {LABELS}",
                self.model.num_classes,
            )


class CalibrationStatusRunner(SingleNetworkRunner):
    """Thin runner: the settings are read and every input checked here, before any work.

    Args:
        config (DeployConfig): Validated deploy config.
    """

    project_name = PROJECT_NAME

    def __init__(self, config: DeployConfig) -> None:
        settings = read_settings(CalibrationSettings, config.project, "project")
        samples = CalibrationSamples(config.runtime_io.info_file or str(DEFAULT_EVAL_SET), settings.eval_limit)
        super().__init__(
            config,
            load_model=functools.partial(_load, settings=settings),
            samples=samples,
            to_inputs=functools.partial(model_inputs, settings=settings.preprocess),
            evaluator=CalibrationEvaluator(LABELS, settings.min_class_agreement),
            pipelines=pipeline_registry(settings.preprocess, LABELS),
        )
        self.settings = settings


def _load(checkpoint_path: str, device: str, settings: CalibrationSettings):
    return load_model(checkpoint_path, device, settings.model, settings.trust_checkpoint)


PROJECT = ProjectSpec(
    PROJECT_NAME,
    CalibrationStatusRunner,
    default_config=str(DEFAULT_CONFIG),
    description="camera–LiDAR calibration status classifier (ResNet-18, 5 channels) on synthetic scenes",
)
