"""Progress bars for long loops: tqdm when installed and enabled, the plain iterable otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], desc: str, enabled: bool | None = None) -> Iterator[T]:
    """Wraps ``items`` in a progress bar on stderr.

    Args:
        items (Iterable[T]): The loop.
        desc (str): Label.
        enabled (bool | None): Show a bar. Defaults to True when stderr is a terminal.

    Returns:
        Iterator[T]: The same items.
    """
    enabled = sys.stderr.isatty() if enabled is None else enabled
    if not enabled:
        return iter(items)
    try:
        from tqdm import tqdm
    except ImportError:
        return iter(items)
    return iter(tqdm(items, desc=desc, leave=False, file=sys.stderr))
