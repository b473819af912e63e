"""Typed reading of raw config mappings: every error names the key path, the bad value and what is accepted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from awml_deploy.core.errors import expected

_MISSING = object()


def type_name(value: object) -> str:
    """Short type name for messages ("int", "str", "dict"...)."""
    return type(value).__name__


def as_mapping(value: object, path: str) -> Mapping[str, Any]:
    """Checks that ``value`` is a mapping with string keys.

    Args:
        value (object): The raw value.
        path (str): Key path for messages.

    Returns:
        Mapping[str, Any]: The mapping.
    """
    if not isinstance(value, Mapping):
        expected(path, f"must be a mapping, not {type_name(value)}", "a dict", value)
    for key in value:
        if not isinstance(key, str):
            expected(f"{path}.{key}", "keys must be strings", "a string key", key)
    return value


def as_bool(value: object, path: str) -> bool:
    """Accepts only True/False (no 0/1, no strings)."""
    if not isinstance(value, bool):
        expected(path, f"must be a bool, not {type_name(value)}", "true or false", value)
    return value


def as_int(value: object, path: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """Accepts an int (not a bool) within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, int):
        expected(
            path, f"must be an integer, not {type_name(value)}", _range_text("an integer", minimum, maximum), value
        )
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        expected(path, "out of range", _range_text("an integer", minimum, maximum), value)
    return value


def as_float(value: object, path: str, minimum: float | None = None, maximum: float | None = None) -> float:
    """Accepts a finite int or float (not a bool) within [minimum, maximum]."""
    import math

    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        expected(
            path, f"must be a finite number, not {type_name(value)}", _range_text("a number", minimum, maximum), value
        )
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        expected(path, "out of range", _range_text("a number", minimum, maximum), value)
    return float(value)


def as_str(value: object, path: str, allow_empty: bool | None = None) -> str:
    """Accepts a string (non-empty unless ``allow_empty``; defaults to False)."""
    allow_empty = False if allow_empty is None else allow_empty
    if not isinstance(value, str):
        expected(path, f"must be a string, not {type_name(value)}", "a string", value)
    if not allow_empty and not value.strip():
        expected(path, "must not be empty", "a non-empty string", value)
    return value


def as_choice(value: object, path: str, choices: tuple[str, ...]) -> str:
    """Accepts one of ``choices`` (case-insensitive), returned in canonical case."""
    if isinstance(value, str):
        for choice in choices:
            if value.strip().lower() == choice.lower():
                return choice
    expected(path, "unknown value", "one of " + "|".join(choices), value)


def as_list(value: object, path: str, non_empty: bool | None = None) -> list:
    """Accepts a list or tuple (non-empty when ``non_empty``; defaults to False)."""
    non_empty = False if non_empty is None else non_empty
    if not isinstance(value, (list, tuple)):
        expected(path, f"must be a list, not {type_name(value)}", "a list", value)
    if non_empty and not value:
        expected(path, "must not be empty", "a non-empty list", value)
    return list(value)


def as_shape(value: object, path: str, minimum: int | None = None) -> tuple[int, ...]:
    """Accepts a non-empty list of integers >= ``minimum`` (defaults to 0)."""
    minimum = 0 if minimum is None else minimum
    items = as_list(value, path, non_empty=True)
    return tuple(as_int(v, f"{path}[{i}]", minimum=minimum) for i, v in enumerate(items))


def optional(convert: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps a converter so that None passes through."""

    def _convert(value: object, path: str, *args: Any, **kwargs: Any) -> Any:
        return None if value is None else convert(value, path, *args, **kwargs)

    return _convert


def _range_text(what: str, minimum: object, maximum: object) -> str:
    if minimum is not None and maximum is not None:
        return f"{what} in [{minimum}, {maximum}]"
    if minimum is not None:
        return f"{what} >= {minimum}"
    if maximum is not None:
        return f"{what} <= {maximum}"
    return what


class SectionReader:
    """Reads keys of one mapping section and rejects unknown keys on :meth:`finish`.

    Args:
        value (object): The raw section (None means an empty section).
        path (str): Key path of the section ("" for the top level).
    """

    def __init__(self, value: object, path: str) -> None:
        self.path = path
        self.data = {} if value is None else as_mapping(value, path or "<config>")
        self._seen: set[str] = set()

    def key(self, name: str) -> str:
        """Returns the key path of ``name`` inside this section."""
        return f"{self.path}.{name}" if self.path else name

    def has(self, name: str) -> bool:
        """Whether the key is present."""
        return name in self.data

    def get(self, name: str, convert: Callable[..., Any], default: object = _MISSING, *args: Any, **kwargs: Any) -> Any:
        """Reads ``name`` through ``convert``; a missing key gives ``default`` or fails if there is none.

        Args:
            name (str): Key.
            convert (Callable): Converter ``(value, path, *args, **kwargs)``.
            default (object): Value when the key is absent. Defaults to "required".
            *args: Extra converter arguments.
            **kwargs: Extra converter keyword arguments.

        Returns:
            Any: The converted value.
        """
        self._seen.add(name)
        if name not in self.data:
            if default is _MISSING:
                expected(self.key(name), "required key is missing", "the key to be set", "nothing")
            return default
        return convert(self.data[name], self.key(name), *args, **kwargs)

    def finish(self) -> None:
        """Fails on the first key that was never read."""
        for name in self.data:
            if name not in self._seen:
                known = "|".join(sorted(self._seen)) or "no keys"
                expected(self.key(name), "unknown key", f"one of {known}", name)
