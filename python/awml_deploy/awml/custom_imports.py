"""A model config's ``custom_imports``, imported the way deployment needs them.

AWML configs import dataset, metric, hook and logging modules next to the model's own (needing pyquaternion,
perception_eval, mlflow...). Building the model needs only the modules that define a type the ``model`` section
names. So: every module is tried; one that fails and defines none of those types (read from its source, nothing
executed) is skipped, and all skipped modules are named in one warning line; one that fails and defines such a
type is a one-line error naming the module, the types and the import error.
"""

from __future__ import annotations

import importlib
import pathlib
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from awml_deploy.core.errors import expected, fail
from awml_deploy.core.logging import get_logger

_LOG = get_logger("awml")
_CLASS = re.compile(r"^class\s+([A-Za-z_]\w*)", re.MULTILINE)
_REPORTED: set[tuple[str, ...]] = set()
_NAMED = re.compile(r"register_module\(\s*(?:name\s*=\s*)?[\"']([A-Za-z_]\w*)[\"']")


def model_types(section: Any) -> set[str]:
    """Every ``type`` string inside a config section (nested dicts and lists).

    Args:
        section (Any): E.g. ``cfg["model"]``.

    Returns:
        set[str]: The type names.
    """
    found: set[str] = set()
    stack = [section]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if isinstance(node.get("type"), str):
                found.add(node["type"].rsplit(".", 1)[-1])
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return found


def module_sources(module: str, search_path: Iterable[str] | None = None) -> list[pathlib.Path]:
    """The ``.py`` files of a module or package, found on ``sys.path`` without importing anything.

    Args:
        module (str): Dotted module name.
        search_path (Iterable[str] | None): Folders to look in. Defaults to ``sys.path``.

    Returns:
        list[pathlib.Path]: Source files (empty when not found).
    """
    parts = module.split(".")
    for entry in sys.path if search_path is None else search_path:
        base = pathlib.Path(entry or ".").joinpath(*parts)
        if base.is_dir():
            return sorted(base.rglob("*.py"))
        if base.with_suffix(".py").is_file():
            return [base.with_suffix(".py")]
    return []


def defined_types(module: str) -> set[str]:
    """Class and registered names defined in a module's source (read as text, never executed)."""
    names: set[str] = set()
    for path in module_sources(module):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        names.update(_CLASS.findall(text))
        names.update(_NAMED.findall(text))
    return names


def import_custom_modules(cfg: Mapping[str, Any], subject: str | None = None) -> list[str]:
    """Imports ``cfg["custom_imports"]["imports"]`` (see the module docstring).

    Args:
        cfg (Mapping[str, Any]): The model config (mmengine Config or dict).
        subject (str | None): Name of the config in messages. Defaults to "model config".

    Returns:
        list[str]: The modules skipped because they failed and the model does not need them.
    """
    subject = "model config" if subject is None else subject
    spec = cfg.get("custom_imports") or {}
    if not isinstance(spec, Mapping):
        expected(f"{subject} custom_imports", "must be a mapping", "dict(imports=[...])", spec)
    modules = spec.get("imports", [])
    modules = [modules] if isinstance(modules, str) else list(modules)
    needed = model_types(cfg.get("model", {}))
    skipped = []
    for module in modules:
        if not isinstance(module, str):
            expected(f"{subject} custom_imports.imports", "must hold module names", "strings", module)
        try:
            importlib.import_module(module)
        except Exception as err:  # noqa: BLE001 - third-party import errors of every kind; judged below
            error = f"{type(err).__name__}: {' '.join(str(err).split())}"
            used = sorted(needed & defined_types(module))
            if used or not module_sources(module):
                why = f"it defines {used}, which the model uses" if used else "it is not on sys.path"
                fail(
                    f"{subject} custom_imports | {module} failed to import and {why}. Note: expected an importable "
                    f"module (AWML checkout on --awml-root/AWML_ROOT, its dependencies installed), got {error}",
                    cause=err,
                )
            skipped.append(f"{module} ({error})")
    if skipped and tuple(skipped) not in _REPORTED:  # a config loaded twice in a run warns once
        _REPORTED.add(tuple(skipped))
        _LOG.warning(
            "%s custom_imports | skipped %d module(s) the model does not use: %s",
            subject,
            len(skipped),
            "; ".join(skipped),
        )
    return skipped
