"""An AWML checkout on ``sys.path``, so its ``projects.*`` (a namespace package, as ours) and ``autoware_ml``
import next to our bundles.

The checkout comes from ``--awml-root DIR``, else the ``AWML_ROOT`` environment variable, else the checkout that
holds the model config (:func:`awml_root_of`), else whatever is on ``sys.path`` already. It is appended after our own entries: our bundles keep their names, AWML's ``projects``
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


def awml_root_of(config_path: str | pathlib.Path) -> pathlib.Path | None:
    """The AWML checkout a model config lives in: the nearest folder above it holding ``autoware_ml/`` and a
    namespace ``projects/``; None when there is none.

    Args:
        config_path (str | pathlib.Path): The model config file.

    Returns:
        pathlib.Path | None: The checkout root.
    """
    for parent in pathlib.Path(config_path).absolute().parents:
        projects = parent / "projects"
        if (parent / "autoware_ml").is_dir() and projects.is_dir() and not (projects / "__init__.py").exists():
            return parent
    return None


def add_awml_root_of(config_path: str | pathlib.Path) -> str | None:
    """Puts the AWML checkout holding ``config_path`` on ``sys.path`` when ``--awml-root``/``AWML_ROOT`` gave none.

    Args:
        config_path (str | pathlib.Path): The model config file.

    Returns:
        str | None: The folder added (or already present), or None when the config is in no checkout.
    """
    root = awml_root_of(config_path)
    if root is None or str(root) in sys.path:
        return None if root is None else str(root)
    return add_awml_root(str(root))
