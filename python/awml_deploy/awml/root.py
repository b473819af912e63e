"""An AWML checkout on ``sys.path``, so its ``projects.*`` (a namespace package, as ours) and ``autoware_ml``
import next to our bundles.

The checkout comes from ``--awml-root DIR``, else the ``AWML_ROOT`` environment variable, else whatever is on
``sys.path`` already. It is appended after our own entries: our bundles keep their names, AWML's ``projects``
folders (``projects/CenterPoint``...) join the same namespace.
"""

from __future__ import annotations

import os
import pathlib
import sys

from awml_deploy.core.errors import expected

ENV_VAR = "AWML_ROOT"


def add_awml_root(path: str | None = None) -> str | None:
    """Puts an AWML checkout on ``sys.path``.

    Args:
        path (str | None): The checkout (holding ``projects/`` and ``autoware_ml/``). Defaults to ``$AWML_ROOT``,
            and to nothing when that is unset.

    Returns:
        str | None: The folder added (or already present), or None when none was given.
    """
    subject = "--awml-root" if path is not None else ENV_VAR
    path = (os.environ.get(ENV_VAR) or None) if path is None else path
    if path is None:
        return None
    root = pathlib.Path(path).expanduser().resolve()
    if not (root / "projects").is_dir() or (root / "projects" / "__init__.py").exists():
        expected(subject, "not an AWML checkout", "a folder holding AWML's projects/ (a namespace package)", path)
    text = str(root)
    if text not in sys.path:
        sys.path.append(text)
        _extend_namespace(text)
    return text


def _extend_namespace(root: str) -> None:
    """A ``projects`` namespace imported before ``root`` was added learns the new folder at its next lookup;
    a regular ``projects`` package (an ``__init__.py`` somewhere earlier on the path) cannot and is named."""
    module = sys.modules.get("projects")
    if module is not None and getattr(module, "__file__", None):
        expected(
            "projects",
            "a regular package shadows AWML's projects namespace",
            "no projects/__init__.py on sys.path",
            module.__file__,
        )
