"""Reading the CLI's JSON inputs: orjson when installed, the standard library otherwise, same result either way.

A 1,000-frame FRAMES.json (17 MB) takes ~0.09 s with orjson and ~0.2 s with :mod:`json` once the garbage
collector is paused (parsing creates about a million objects, none of them in a reference cycle; with the
collector running, its full passes over the growing document add as much again). orjson is stricter than
:mod:`json` (no ``NaN``/``Infinity`` literals, no lone surrogates, no overflow to infinity), so any document
orjson refuses is parsed again by :mod:`json`; and it reads an integer beyond 64 bits as a float (3.8 to 3.13
do), so a document that may hold one (a run of 19 or more digits outside a fraction) goes to :mod:`json`
directly. What is accepted, the values it gives (floats to the bit, ints as ints) and the error message of a
bad file are exactly those of ``json.load(open(path, encoding="utf-8"))`` in every case.
"""

from __future__ import annotations

import json
from typing import Any

_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19  # every integer outside [-2**63, 2**64) has at least 19 digits
_PIECE = 1 << 16


_UNLOADED = object()
orjson: Any = _UNLOADED  # imported on first use (the native 3D path never needs it); None where not installed
_big_integers_as_floats: bool | None = None


def _fast_parser() -> tuple[Any, bool]:
    """``(orjson or None, whether it reads an integer beyond 64 bits as a float instead of refusing it)``."""
    global orjson, _big_integers_as_floats
    if orjson is _UNLOADED:
        try:
            import orjson as module
        except ImportError:  # optional: the standard library gives the same values, slower
            module = None
        orjson = module
    if orjson is not None and _big_integers_as_floats is None:
        try:
            _big_integers_as_floats = not isinstance(orjson.loads(b"18446744073709551616"), int)
        except orjson.JSONDecodeError:
            _big_integers_as_floats = False
    return orjson, bool(_big_integers_as_floats)


def may_hold_big_integer(raw: bytes) -> bool:
    """Whether ``raw`` may hold an integer literal of 19 or more digits (conservative: one in a string counts).

    A digit run right after a ``.`` (a fraction) or followed by ``.``/``e``/``E`` (a float's integer part) is
    a float's, which orjson reads to the same bit as :mod:`json`. Scanned in pieces of ~64 KiB that end just
    after a comma (no digit run spans one), which stay in cache.
    """
    start = 0
    while start < len(raw):
        end = raw.find(b",", start + _PIECE)
        end = len(raw) if end < 0 else end + 1
        digits = raw[start:end].translate(_TO_ZERO)
        at = digits.find(_LONG_RUN)
        while at >= 0:
            stop = at + len(_LONG_RUN)
            while digits[stop : stop + 1] == b"0":
                stop += 1
            if digits[at - 1 : at] != b"." and digits[stop : stop + 1] not in (b".", b"e", b"E"):
                return True
            at = digits.find(_LONG_RUN, stop)
        start = end
    return False


def loads(raw: bytes, fast: bool = True) -> Any:
    """Parses a UTF-8 JSON file's bytes as ``json.load(open(path, encoding="utf-8"))`` would (orjson first).

    Args:
        raw (bytes): The file's content.
        fast (bool): Try orjson first (imported on first use). False parses with :mod:`json` alone, e.g. a
            small file, where orjson's import costs more than it saves. Defaults to True.

    Returns:
        Any: The parsed document.

    Raises:
        json.JSONDecodeError: Not valid JSON (the standard library's error and message).
        UnicodeDecodeError: Not valid UTF-8.
    """
    parser, check_big_integers = _fast_parser() if fast else (None, False)
    if parser is not None and not (check_big_integers and may_hold_big_integer(raw)):
        try:
            return parser.loads(raw)
        except parser.JSONDecodeError:
            pass  # refused: the standard library decides (it accepts NaN, big integers, ...) and words the error
    text = raw.decode("utf-8")
    if "\r" in text:  # the universal newlines of a text-mode file: error positions count as they did there
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return json.loads(text)


def load_json(path: str, what: str, fast: bool = True) -> Any:
    """Reads and parses the CLI input file ``--<what> <path>`` (the CLI's run pauses the garbage collector).

    Args:
        path (str): The file.
        what (str): The option that named it (``frames``, ``settings``), for the error message.
        fast (bool): As in :func:`loads`. Defaults to True.

    Returns:
        Any: The parsed document.

    Raises:
        DeployError: Unreadable file or not valid JSON (one line, exit status 2).
    """
    return parse_json(read_bytes(path, what), path, what, fast)


def read_bytes(path: str, what: str) -> bytes:
    """The bytes of the CLI input file ``--<what> <path>``; fails (exit status 2) when it cannot be read."""
    from awml_deploy.core.errors import fail

    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as err:
        fail(f"--{what} {path} | cannot read: {err.strerror}. Note: expected a readable JSON file", cause=err)


def parse_json(raw: bytes, path: str, what: str, fast: bool = True) -> Any:
    """:func:`loads` of the bytes of ``--<what> <path>``; fails (exit status 2) when they are not valid JSON."""
    from awml_deploy.core.errors import fail

    try:
        return loads(raw, fast)
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError, an integer beyond Python's digit limit
        fail(f"--{what} {path} | not valid JSON: {err}. Note: expected a JSON document", cause=err)
