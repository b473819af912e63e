"""Reading a model config that lives in an AWML checkout: its root, its ``projects.*`` modules, its custom_imports.

AWML's ``projects/`` is a namespace package while ours is a regular one, so ``projects.YOLOX_opt_elan`` would not
be found: the checkout's ``projects/`` folder is added to our package's search path and the checkout root to
``sys.path``. The checkout is ``AWML_ROOT`` when set, else the nearest folder above the model config that holds
both ``autoware_ml/`` and ``projects/``.

``custom_imports`` are imported one by one: a module that fails is skipped and named in one warning line, unless
the model needs it (a model type is then not registered: one error line naming the type and the failed imports).
"""

from __future__ import annotations

import importlib
import os
import pathlib
import sys

from awml_deploy.core.errors import expected
from awml_deploy.core.logging import get_logger

_LOG = get_logger("yolox.model_config")


def awml_root(config_path: pathlib.Path) -> pathlib.Path | None:
    """The AWML checkout holding ``config_path`` (or ``AWML_ROOT``), None when there is none."""
    env = os.environ.get("AWML_ROOT")
    if env:
        root = pathlib.Path(env)
        if not (root / "projects").is_dir():
            expected("AWML_ROOT", "not an AWML checkout", "a folder with projects/ and autoware_ml/", env)
        return root.absolute()
    for parent in config_path.absolute().parents:
        if (parent / "autoware_ml").is_dir() and (parent / "projects").is_dir():
            return parent
    return None


def expose_awml(root: pathlib.Path) -> None:
    """Makes ``autoware_ml.*`` and AWML's ``projects.*`` importable next to our bundles."""
    import projects

    if str(root) not in sys.path:
        sys.path.append(str(root))
    folder = str(root / "projects")
    if folder not in list(projects.__path__):
        projects.__path__.append(folder)


def import_custom_modules(cfg) -> list[str]:
    """Imports ``cfg.custom_imports.imports``; returns "module (error)" for each that failed."""
    spec = cfg.get("custom_imports") or {}
    names = spec.get("imports", []) if hasattr(spec, "get") else []
    names = [names] if isinstance(names, str) else list(names)
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as err:  # noqa: BLE001 - any import-time failure is reported, not raised
            failed.append(f"{name} ({type(err).__name__}: {' '.join(str(err).split())[:120]})")
    return failed


def check_model_types(cfg, failed: list[str]) -> None:
    """Fails when a type of the model (detector, backbone, neck, head) is not registered; warns about ``failed``."""
    from mmengine.registry import init_default_scope

    init_default_scope("mmdet")
    from mmdet.registry import MODELS

    model = cfg.model
    parts = {"model": model, **{f"model.{k}": model.get(k) for k in ("backbone", "neck", "bbox_head")}}
    for key, part in parts.items():
        if part is None or "type" not in part:
            continue
        try:
            found = MODELS.get(part["type"]) is not None
        except Exception:  # noqa: BLE001 - a scope prefix of an uninstalled package
            found = False
        if not found:
            note = f"; failed custom_imports: {'; '.join(failed)}" if failed else ""
            expected(
                f"{key}.type",
                f"not a registered model type{note}",
                "a type of mmdet or of custom_imports",
                part["type"],
            )
    if failed:
        _LOG.warning("model config custom_imports: skipped (the model does not need them): %s", "; ".join(failed))
