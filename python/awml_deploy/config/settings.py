"""Bundle settings as frozen dataclasses, read through :class:`~awml_deploy.config.reader.SectionReader`.

A bundle declares its ``project`` section once, as a frozen dataclass whose fields say how they are read::

    @dataclasses.dataclass(frozen=True)
    class Settings:
        model: ModelSettings = section(ModelSettings)               # a nested section (its own dataclass)
        min_agreement: float = setting(1.0, as_float, minimum=0.0, maximum=1.0)
        eval_limit: int | None = setting(None, optional(as_int), minimum=1)
        trust_checkpoint: bool = setting(False, as_bool)

        def check(self, path: str) -> None:                         # optional: rules across fields
            ...

    settings = read_settings(Settings, config.project, "project")

Unknown keys, wrong types (a string where a bool or a number belongs), ranges and the error wording are handled
here once: every failure is one line naming the key path, what is accepted and what was given.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any, TypeVar

from awml_deploy.config.reader import SectionReader, as_mapping, optional, type_name
from awml_deploy.core.errors import expected

T = TypeVar("T")
_CONVERT = "awml_deploy.convert"
_SECTION = "awml_deploy.section"


def setting(default: Any, convert: Callable[..., Any], **limits: Any) -> Any:
    """A scalar or list field read with ``convert(value, path, **limits)``.

    Args:
        default (Any): Value when the key is absent (immutable: a tuple, not a list).
        convert (Callable[..., Any]): A converter of :mod:`awml_deploy.config.reader` (or one with its signature).
        **limits (Any): Extra converter arguments (``minimum``, ``maximum``, ``length``...).

    Returns:
        dataclasses.Field: The field.
    """
    return dataclasses.field(default=default, metadata={_CONVERT: (convert, limits)})


def section(cls: type) -> Any:
    """A nested section read with :func:`read_settings` (absent means all its defaults).

    Args:
        cls (type): The section's frozen dataclass.

    Returns:
        dataclasses.Field: The field.
    """
    return dataclasses.field(default_factory=lambda: read_settings(cls, None, ""), metadata={_SECTION: cls})


def read_settings(cls: type[T], value: object, path: str) -> T:
    """Reads a mapping into the frozen dataclass ``cls`` (fields declared with :func:`setting` or :func:`section`).

    Args:
        cls (type[T]): The dataclass.
        value (object): The raw section (None means all defaults).
        path (str): Key path of the section, for messages.

    Returns:
        T: The settings; ``cls.check(path)`` has run when ``cls`` defines it.
    """
    reader = SectionReader(value, path)
    values = {}
    for field in dataclasses.fields(cls):
        if _SECTION in field.metadata:
            raw = reader.get(field.name, optional(as_mapping), None)
            values[field.name] = read_settings(field.metadata[_SECTION], raw, reader.key(field.name))
        elif _CONVERT in field.metadata:
            convert, limits = field.metadata[_CONVERT]
            values[field.name] = reader.get(field.name, convert, field.default, **limits)
    reader.finish()
    settings = cls(**values)
    if hasattr(settings, "check"):
        settings.check(path)
    return settings


def as_floats(
    value: object, path: str, length: int | None = None, minimum: float | None = None, positive: bool | None = None
) -> tuple[float, ...]:
    """Accepts a list of finite numbers (no bools, no strings) as a tuple of floats.

    Args:
        value (object): The raw value.
        path (str): Key path for messages.
        length (int | None): Required length. Defaults to any non-empty length.
        minimum (float | None): Smallest accepted value. Defaults to none.
        positive (bool | None): Require every value > 0. Defaults to False.

    Returns:
        tuple[float, ...]: The numbers.
    """
    positive = False if positive is None else positive
    what = f"a list of {length if length is not None else 'one or more'} {'positive ' if positive else ''}numbers"
    if not isinstance(value, (list, tuple)):
        expected(path, f"must be a list, not {type_name(value)}", what, value)
    if not value or (length is not None and len(value) != length):
        expected(path, "wrong length", what, value)
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not math.isfinite(float(item)):
            expected(path, f"holds a {type_name(item)}", what, value)
        if (positive and item <= 0) or (minimum is not None and item < minimum):
            expected(path, "out of range", what if minimum is None else f"{what} >= {minimum}", value)
    return tuple(float(item) for item in value)
