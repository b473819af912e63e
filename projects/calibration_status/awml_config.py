"""AWML's CalibrationStatusClassification files as inputs: the model config and the deploy settings.

- ``project.model_config``: an AWML model config (``projects/CalibrationStatusClassification/configs/...``), loaded
  with mmengine's ``Config.fromfile`` without importing its ``custom_imports``. Its ``model`` dict (mmpretrain
  ``ImageClassifier``: ``ResNet`` backbone, ``GlobalAveragePooling`` neck, ``LinearClsHead``) gives the
  architecture, its top-level ``classes`` the logit order (AWML's dataset order ``miscalibrated, calibrated`` when
  absent) and the ``CalibrationClassificationTransform`` of its ``test_pipeline`` the input (:mod:`fusion`).
- ``project.awml_deploy_config``: AWML's deploy settings (``configs/deploy/resnet18_5ch.py``): ONNX input/output
  names and dynamic axes (batch, height, width) and the TensorRT profile of ``backend_config.model_inputs``.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping
from typing import Any

from awml_deploy.config.components import ComponentConfig, parse_component
from awml_deploy.core.errors import expected, fail
from projects.calibration_status.fusion import FusionSettings
from projects.calibration_status.model import ModelSettings

AWML_LABELS = ("miscalibrated", "calibrated")  # T4CalibrationClassificationDataset: 0 miscalibrated, 1 calibrated
TRANSFORM = "CalibrationClassificationTransform"


@dataclasses.dataclass(frozen=True)
class AwmlModel:
    """What the bundle takes from an AWML model config.

    Attributes:
        model: Architecture.
        labels: Class names in logit order.
        fusion: Input construction.
    """

    model: ModelSettings
    labels: tuple[str, ...]
    fusion: FusionSettings


def load_config_file(path: str, key: str) -> Mapping[str, Any]:
    """An mmengine config file as a dict (``custom_imports`` are not imported), failing on one line.

    Args:
        path (str): The ``.py`` config.
        key (str): The setting that named it, for messages.

    Returns:
        Mapping[str, Any]: The config.
    """
    if not pathlib.Path(path).is_file():
        expected(key, "config file not found", "an existing mmengine .py config", path)
    from mmengine.config import Config

    try:
        return Config.fromfile(path, import_custom_modules=False).to_dict()
    except Exception as err:  # noqa: BLE001 - mmengine raises many kinds; one line with the cause
        hint = " (its `mmpretrain::` bases need the mmpretrain package installed)" if "mmpretrain" in str(err) else ""
        text = " ".join(str(err).split())[:200]
        fail(f"{key} | cannot load {path}{hint}. Note: {type(err).__name__}: {text}", cause=err)


def _type(node: object, path: str, names: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(node, Mapping) or str(node.get("type", "")).split(".")[-1] not in names:
        got = node.get("type") if isinstance(node, Mapping) else node
        expected(f"{path}.type", "unsupported module", " or ".join(names), got)
    return node


def model_settings(model: object, path: str) -> ModelSettings:
    """The architecture of an mmpretrain ``ImageClassifier`` dict (ResNet-18/34, GAP, LinearClsHead).

    Args:
        model (object): The config's ``model`` dict.
        path (str): Key path for messages.

    Returns:
        ModelSettings: depth, in_channels, base_channels and num_classes.
    """
    _type(model, path, ("ImageClassifier",))
    backbone = _type(model.get("backbone"), f"{path}.backbone", ("ResNet", "ResNetV1c", "ResNetV1d"))
    if str(backbone["type"]).split(".")[-1] != "ResNet" or backbone.get("deep_stem", False):
        expected(f"{path}.backbone", "unsupported stem", "ResNet with the plain 7x7 stem", backbone["type"])
    _type(model.get("neck"), f"{path}.neck", ("GlobalAveragePooling",))
    head = _type(model.get("head"), f"{path}.head", ("LinearClsHead",))
    base = backbone.get("base_channels", 64)
    if backbone.get("stem_channels", base) != base or tuple(backbone.get("out_indices", (3,))) != (3,):
        got = (backbone.get("stem_channels"), backbone.get("out_indices"))
        expected(f"{path}.backbone", "unsupported layout", "stem_channels == base_channels, out_indices (3,)", got)
    values = {
        "depth": backbone.get("depth"),
        "in_channels": backbone.get("in_channels", 3),
        "base_channels": base,
        "num_classes": head.get("num_classes"),
    }
    from awml_deploy.config.settings import read_settings

    settings = read_settings(ModelSettings, values, f"{path}.backbone/head")
    if head.get("in_channels") != 8 * settings.base_channels:
        expected(
            f"{path}.head.in_channels",
            "does not match the backbone",
            8 * settings.base_channels,
            head.get("in_channels"),
        )
    return settings


def fusion_settings(pipeline: object, path: str) -> FusionSettings:
    """The test-time settings of the ``CalibrationClassificationTransform`` in ``pipeline``."""
    steps = [s for s in (pipeline or ()) if isinstance(s, Mapping) and str(s.get("type", "")).endswith(TRANSFORM)]
    if len(steps) != 1:
        expected(path, f"needs one {TRANSFORM}", f"a test_pipeline with one {TRANSFORM}", len(steps))
    step = steps[0]
    from awml_deploy.config.settings import read_settings

    values = {k: step[k] for k in ("max_depth", "dilation_size", "undistort") if k in step}
    return read_settings(FusionSettings, values, f"{path}.{TRANSFORM}")


def load_awml_model(path: str, key: str, known_labels: tuple[str, ...]) -> AwmlModel:
    """Reads an AWML model config (see the module docstring).

    Args:
        path (str): The config file.
        key (str): The setting that named it, for messages.
        known_labels (tuple[str, ...]): Label names of the evaluation data; ``classes`` must be an ordering of them.

    Returns:
        AwmlModel: Architecture, labels and input settings.
    """
    config = load_config_file(path, key)
    model = model_settings(config.get("model"), f"{key}:model")
    if model.in_channels != 5:
        expected(
            f"{key}:model.backbone.in_channels",
            "does not fit the fused input",
            "5 (B, G, R, depth, intensity)",
            model.in_channels,
        )
    labels = tuple(config.get("classes") or AWML_LABELS)
    if sorted(labels) != sorted(known_labels) or len(labels) != model.num_classes:
        expected(f"{key}:classes", "do not match the data", f"an ordering of {list(known_labels)}", list(labels))
    return AwmlModel(model, labels, fusion_settings(config.get("test_pipeline"), f"{key}:test_pipeline"))


def awml_component(path: str, key: str, base: ComponentConfig, num_classes: int) -> ComponentConfig:
    """The model component with I/O names, dynamic axes and TensorRT profile from AWML's deploy settings.

    Args:
        path (str): AWML deploy settings (``onnx_config``, ``backend_config``).
        key (str): The setting that named it, for messages.
        base (ComponentConfig): The configured component (file names are kept).
        num_classes (int): Logit count.

    Returns:
        ComponentConfig: The component.
    """
    config = load_config_file(path, key)
    onnx = config.get("onnx_config") or {}
    names_in, names_out = onnx.get("input_names") or ["input"], onnx.get("output_names") or ["output"]
    if len(names_in) != 1 or len(names_out) != 1:
        expected(f"{key}:onnx_config", "one input and one output expected", "input_names/output_names of 1", onnx)
    axes = {name: {int(a): str(n) for a, n in dims.items()} for name, dims in (onnx.get("dynamic_axes") or {}).items()}
    inputs = (config.get("backend_config") or {}).get("model_inputs") or [{}]
    shapes = (inputs[0].get("input_shapes") or {}).get(names_in[0])
    if not isinstance(shapes, Mapping) or not {"min_shape", "opt_shape", "max_shape"} <= set(shapes):
        expected(
            f"{key}:backend_config.model_inputs[0].input_shapes.{names_in[0]}", "missing", "min/opt/max_shape", shapes
        )
    in_shape = [-1 if i in axes.get(names_in[0], {}) else d for i, d in enumerate(shapes["opt_shape"])]
    out_shape = [-1 if i in axes.get(names_out[0], {}) else d for i, d in enumerate([1, num_classes])]
    raw = {
        "onnx_file": base.onnx_file,
        "engine_file": base.engine_file,
        "io": {
            "inputs": [{"name": names_in[0], "dtype": "float32", "shape": in_shape}],
            "outputs": [{"name": names_out[0], "dtype": "float32", "shape": out_shape}],
            "dynamic_axes": axes,
        },
        "tensorrt_profile": {names_in[0]: {k: list(shapes[k]) for k in ("min_shape", "opt_shape", "max_shape")}},
    }
    return parse_component(base.name, raw)
