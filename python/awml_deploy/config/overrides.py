"""`--cfg-options a.b=c` overrides applied to a raw config mapping."""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterable
from typing import Any

from awml_deploy.core.errors import expected

_WORDS = {"true": True, "false": False, "null": None}


def parse_value(text: str) -> Any:
    """Parses an override value: Python/JSON literals (numbers, lists, dicts, quoted strings, None), true/false/null,
    otherwise the text itself as a string (so ``export.mode=none`` is the string "none", not None).

    Args:
        text (str): The text after '='.

    Returns:
        Any: The value.
    """
    stripped = text.strip()
    if stripped.lower() in _WORDS:
        return _WORDS[stripped.lower()]
    try:
        return ast.literal_eval(stripped)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def apply_overrides(raw: dict, options: Iterable[str]) -> dict:
    """Returns a copy of ``raw`` with every ``a.b.c=value`` option applied (creating sections as needed).

    Args:
        raw (dict): The loaded config.
        options (Iterable[str]): Override strings.

    Returns:
        dict: The overridden config.
    """
    result = copy.deepcopy(dict(raw))
    for option in options:
        if "=" not in option:
            expected("--cfg-options", "an option has no '='", "key.path=value", option)
        key, value = option.split("=", 1)
        parts = key.strip().split(".")
        if not key.strip() or any(not p for p in parts):
            expected("--cfg-options", "empty key path", "key.path=value", option)
        node = result
        for i, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            elif not isinstance(child, dict):
                expected(
                    f"--cfg-options {'.'.join(parts[: i + 1])}", "cannot descend into a non-mapping", "a mapping", child
                )
            node = child
        node[parts[-1]] = parse_value(value)
    return result
