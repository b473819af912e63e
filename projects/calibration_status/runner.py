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
        model_config=None,         # an AWML model config: architecture, classes and AWML's fused input from it
        awml_deploy_config=None,   # AWML's deploy settings: ONNX names, dynamic axes, TensorRT profile from it
    )

With ``model_config`` the network is built from the config's mmpretrain ``model`` dict (``head.fc.*`` parameter
names, so AWML training checkpoints load), the labels follow its ``classes`` and the input is AWML's
``CalibrationClassificationTransform`` (:mod:`projects.calibration_status.fusion`), in place of ``project.model``
and ``project.preprocess``. ``runtime_io.info_file`` names the evaluation data: our evaluation set (``.json``) or AWML
calibration infos (``.pkl``, :mod:`projects.calibration_status.t4_infos`).
"""

from __future__ import annotations

import dataclasses
import functools
import pathlib
from types import MappingProxyType

from awml_deploy.config.deploy_config import DeployConfig
from awml_deploy.config.reader import as_bool, as_float, as_int, as_str, optional
from awml_deploy.config.settings import read_settings, section, setting
from awml_deploy.core.errors import expected
from awml_deploy.runtime import ProjectSpec
from awml_deploy.runtime.single_network import SingleNetworkRunner
from projects.calibration_status.awml_config import awml_component, load_awml_model
from projects.calibration_status.dataset import CalibrationSamples
from projects.calibration_status.evaluator import CalibrationEvaluator
from projects.calibration_status.fusion import fused_inputs
from projects.calibration_status.miscalibration import LABELS
from projects.calibration_status.model import ModelSettings, load_model
from projects.calibration_status.pipelines import PROJECT as PROJECT_NAME
from projects.calibration_status.pipelines import model_inputs, pipeline_registry
from projects.calibration_status.projection import NUM_CHANNELS, PreprocessSettings
from projects.calibration_status.t4_infos import T4CalibrationSamples

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
        model_config: AWML model config (architecture, classes, input transform), or None.
        awml_deploy_config: AWML deploy settings (ONNX names, dynamic axes, TensorRT profile), or None.
    """

    preprocess: PreprocessSettings = section(PreprocessSettings)
    model: ModelSettings = section(ModelSettings)
    min_class_agreement: float = setting(1.0, as_float, minimum=0.0, maximum=1.0)
    eval_limit: int | None = setting(None, optional(as_int), minimum=1)
    trust_checkpoint: bool = setting(False, as_bool)
    model_config: str | None = setting(None, optional(as_str))
    awml_deploy_config: str | None = setting(None, optional(as_str))

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
    """Thin runner: the settings (and the AWML files they name) are read and every input checked here, first.

    Args:
        config (DeployConfig): Validated deploy config.
    """

    project_name = PROJECT_NAME

    def __init__(self, config: DeployConfig) -> None:
        settings = read_settings(CalibrationSettings, config.project, "project")
        model, labels, to_inputs = settings.model, LABELS, functools.partial(model_inputs, settings=settings.preprocess)
        if settings.model_config is not None:
            awml = load_awml_model(settings.model_config, "project.model_config", LABELS)
            model, labels, to_inputs = awml.model, awml.labels, functools.partial(fused_inputs, settings=awml.fusion)
        if settings.awml_deploy_config is not None:
            (base,) = config.components.values()
            component = awml_component(settings.awml_deploy_config, "project.awml_deploy_config", base, len(labels))
            config = dataclasses.replace(config, components=MappingProxyType({base.name: component}))
        output_name = next(iter(config.components.values())).io.outputs[0].name
        source = config.runtime_io.info_file or str(DEFAULT_EVAL_SET)
        reader = T4CalibrationSamples if source.endswith(".pkl") else CalibrationSamples
        samples = reader(source, settings.eval_limit)
        super().__init__(
            config,
            load_model=functools.partial(load_model, settings=model, trusted=settings.trust_checkpoint),
            samples=samples,
            to_inputs=to_inputs,
            evaluator=CalibrationEvaluator(labels, settings.min_class_agreement, output_name),
            pipelines=pipeline_registry(to_inputs, labels, output_name),
        )
        self.settings = settings
        self.model_settings = model
        self.labels = labels


PROJECT = ProjectSpec(
    PROJECT_NAME,
    CalibrationStatusRunner,
    default_config=str(DEFAULT_CONFIG),
    description="camera–LiDAR calibration status classifier (ResNet-18, 5 channels) on synthetic scenes",
)
