"""Field checks shared by the settings and frames parsers, with path-named errors (NumPy-free).

The CLI's native path imports the settings parser without NumPy: a value can only be a NumPy scalar when
NumPy is already imported, so :func:`is_number` looks NumPy's types up only then.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, NoReturn

from awml_deploy.core.errors import fail, short_repr

MISSING = object()


def bad(path: str, problem: str, accepted: str, got: Any = MISSING) -> NoReturn:
    """Fails with the house message for input field ``path``."""
    shown = "nothing" if got is MISSING else short_repr(got)
    fail(f"{path} | {problem}. Note: expected {accepted}, got {shown}")


def is_number(value: Any) -> bool:
    """True for int/float (and NumPy scalars), False for bool and everything else."""
    kind = type(value)
    if kind is float or kind is int:
        return True
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, (np.floating, np.integer)):
        return True
    return isinstance(value, (int, float)) and kind is not bool


def get_field(obj: Any, key: str, path: str, accepted: str) -> Any:
    """``obj[key]`` for mappings or ``obj.key`` for dataclasses; fails naming ``path.key`` when missing."""
    value = obj.get(key, MISSING) if isinstance(obj, Mapping) else getattr(obj, key, MISSING)
    if value is MISSING:
        bad(f"{path}.{key}", "missing key", accepted)
    return value
