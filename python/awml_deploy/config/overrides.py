"""`--cfg-options a.b=c` overrides applied to a raw config mapping."""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterable
from typing import Any

from awml_deploy.core.errors import expected

_WORDS = {"true": True, "false": False, "null": None}


_BRACKETS = ("[", "{", "(")
MAX_VALUE_CHARS = 100_000


def parse_value(text: str, key: str | None = None) -> Any:
    """Parses an override value: Python/JSON literals (numbers, lists, dicts, quoted strings, None), true/false/null,
    otherwise the text itself as a string (so ``export.mode=none`` is the string "none", not None).

    A value that opens a list, dict or tuple but is not a valid literal (a typo, or nesting beyond Python's
    parser) is an error, not a string.

    Args:
        text (str): The text after '='.
        key (str | None): The key path, for messages. Defaults to "--cfg-options".

    Returns:
        Any: The value.
    """
    subject = "--cfg-options" if key is None else f"--cfg-options {key}"
    stripped = text.strip()
    if stripped.lower() in _WORDS:
        return _WORDS[stripped.lower()]
    if len(stripped) > MAX_VALUE_CHARS:
        expected(subject, "value too long", f"at most {MAX_VALUE_CHARS} characters", f"{len(stripped)} characters")
    try:
        return ast.literal_eval(stripped)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError) as err:
        if stripped.startswith(_BRACKETS):
            problem = " ".join(str(err).split())[:120] or type(err).__name__
            expected(subject, f"not a valid literal ({problem})", "a Python/JSON literal like [1, 2] or {'a': 1}", text)
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
        node[parts[-1]] = parse_value(value, key.strip())
    return result
