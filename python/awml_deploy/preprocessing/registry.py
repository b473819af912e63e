"""Registry of test-pipeline transforms: an mm* transform ``type`` name → a factory of a NumPy transform.

A transform is a callable ``results -> results`` over an mmengine-style results dict (``"points"``,
``"img"``, ``"lidar_path"``, ``"lidar_sweeps"`` ...). A factory takes the transform's config dict (its
``type`` included) and the key path for messages, and returns the transform; it validates the config and fails
with one line naming the key when something is not supported. Modules register their factories with
:func:`register_transform`; :func:`transform_factory` looks one up and names the known ones when it cannot.
Nothing here imports mm*.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from awml_deploy.core.errors import expected

Transform = Callable[[dict], dict]
TransformFactory = Callable[[Mapping[str, Any], str], Transform]

_FACTORIES: dict[str, TransformFactory] = {}


def register_transform(*names: str) -> Callable[[TransformFactory], TransformFactory]:
    """Registers a factory under one or more mm* transform type names.

    Args:
        *names (str): The ``type`` values the factory handles (e.g. "LoadPointsFromFile").

    Returns:
        Callable[[TransformFactory], TransformFactory]: A decorator that registers and returns the factory.
    """

    def decorate(factory: TransformFactory) -> TransformFactory:
        for name in names:
            _FACTORIES[name] = factory
        return factory

    return decorate


def registered_transforms() -> tuple[str, ...]:
    """The registered transform type names, sorted."""
    return tuple(sorted(_FACTORIES))


def transform_factory(name: object, path: str) -> TransformFactory:
    """The factory for transform type ``name``.

    Args:
        name (object): The transform's ``type`` from the model config.
        path (str): Key path for messages (e.g. "test_pipeline[2].type").

    Returns:
        TransformFactory: The registered factory.
    """
    if not isinstance(name, str) or name not in _FACTORIES:
        expected(path, "unsupported transform", f"one of {list(registered_transforms())}", name)
    return _FACTORIES[name]
