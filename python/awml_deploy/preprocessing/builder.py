"""``build_preprocessing_pipeline(model_cfg)``: a model config's test pipeline as NumPy transforms (no mm*).

The pipeline is ``test_dataloader.dataset.pipeline`` when the config has one, else ``test_pipeline`` (AWML and
mmdet3d configs define both, the first referring to the second). Every step's ``type`` must be registered
(:mod:`registry`): point-cloud transforms come from :mod:`points`, image transforms from ``image`` when that
module is present. An unknown transform is a one-line error naming it and its position.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from awml_deploy.config.reader import as_list, as_mapping
from awml_deploy.core.errors import expected
from awml_deploy.preprocessing.registry import Transform, transform_factory

# Modules registering transforms; a missing optional one only means its transforms are unknown.
TRANSFORM_MODULES = ("awml_deploy.preprocessing.points", "awml_deploy.preprocessing.image")


def _register_all() -> None:
    for name in TRANSFORM_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise


class PreprocessingPipeline:
    """The transforms of a test pipeline, applied in order to an mmdet3d/mmdet results dict.

    Args:
        transforms (Sequence[tuple[str, Callable]]): (type name, transform) pairs.
        source (str): Where the steps came from, e.g. "test_pipeline".
    """

    def __init__(self, transforms: Sequence[tuple[str, Transform]], source: str) -> None:
        self.transforms = tuple(transforms)
        self.source = source

    @property
    def names(self) -> tuple[str, ...]:
        """tuple[str, ...]: The transform types in order."""
        return tuple(name for name, _ in self.transforms)

    def __call__(self, results: Mapping[str, Any]) -> dict:
        out = dict(results)
        for _, transform in self.transforms:
            out = transform(out)
        return out


def pipeline_steps(model_cfg: Mapping[str, Any]) -> tuple[list, str]:
    """The raw test pipeline of a model config and the key path it was read from."""
    cfg = model_cfg.to_dict() if hasattr(model_cfg, "to_dict") else model_cfg
    loader = cfg.get("test_dataloader")
    dataset = loader.get("dataset") if isinstance(loader, Mapping) else None
    while isinstance(dataset, Mapping) and "pipeline" not in dataset and isinstance(dataset.get("dataset"), Mapping):
        dataset = dataset["dataset"]  # wrappers (CBGSDataset, RepeatDataset...)
    if isinstance(dataset, Mapping) and dataset.get("pipeline") is not None:
        return as_list(
            dataset["pipeline"], "test_dataloader.dataset.pipeline", True
        ), "test_dataloader.dataset.pipeline"
    if cfg.get("test_pipeline") is None:
        expected("model config", "has no test pipeline", "test_pipeline or test_dataloader.dataset.pipeline", None)
    return as_list(cfg["test_pipeline"], "test_pipeline", True), "test_pipeline"


def build_preprocessing_pipeline(
    model_cfg: Mapping[str, Any], data_preprocessor: bool | None = None
) -> PreprocessingPipeline:
    """Turns the model config's test pipeline into NumPy transforms.

    Args:
        model_cfg (Mapping[str, Any]): mmengine Config (or its dict) of the model.
        data_preprocessor (bool | None): Also apply ``model.data_preprocessor`` (mmdet's ``DetDataPreprocessor``
            when the config names none: mean/std, BGR→RGB, batch padding) as the last step. Defaults to False.

    Returns:
        PreprocessingPipeline: Callable ``results -> results``.
    """
    _register_all()
    steps, source = pipeline_steps(model_cfg)
    configs = [(f"{source}[{i}]", step) for i, step in enumerate(steps)]
    if data_preprocessor:
        model = as_mapping(model_cfg.get("model") or {}, "model")
        configs.append(("model.data_preprocessor", model.get("data_preprocessor") or {"type": "DetDataPreprocessor"}))
    transforms: list[tuple[str, Callable]] = []
    for path, step in configs:
        step = as_mapping(step, path)
        factory = transform_factory(step.get("type"), f"{path}.type")
        transforms.append((step["type"], factory(step, path)))
    return PreprocessingPipeline(transforms, source)
