"""Project registry: name → module path; a project module defines ``PROJECT = ProjectSpec(...)``.

The framework names no project. A project is found in one of four ways (later wins):

0. a bundle folder in the ``projects`` namespace package on ``sys.path`` (a checkout's ``projects/<name>/`` whose
   ``runner.py`` assigns ``PROJECT = ProjectSpec(...)``): found by reading the file, nothing is imported, so
   ``python -m awml_deploy <name>`` works in a checkout without installing it;
1. the ``awml_deploy.projects`` entry-point group of an installed distribution (``pip install -e .`` of this
   repository registers its bundles so)::

       [project.entry-points."awml_deploy.projects"]
       yolox = "projects.yolox.runner"

2. the ``AWML_DEPLOY_PROJECTS`` environment variable (``"name=module.path,..."``);
3. :func:`register_project` in the process, which is what each bundle's ``bazel run //projects/<name>:deploy``
   binary does with its own module (see :mod:`awml_deploy.cli.bundle`).

Listing projects imports nothing heavy: only the module paths are read. A project module looks like::

    # projects/yolox/runner.py
    class YoloxRunner(BaseDeploymentRunner):          # thin: everything is injected
        project_name = "yolox"

        def __init__(self, config):
            super().__init__(config, load_model=load_yolox, samples=YoloxSamples, evaluator=YoloxEvaluator(...))

    PROJECT = ProjectSpec("yolox", YoloxRunner, default_config=str(HERE / "configs" / "deploy_default.py"))

Heavy imports (torch, mmdet...) belong inside the loader functions, not at module level.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
import importlib.util
import os
from collections.abc import Callable

from awml_deploy.config.deploy_config import DeployConfig
from awml_deploy.core.errors import expected, fail

ENV_VAR = "AWML_DEPLOY_PROJECTS"
ENTRY_POINT_GROUP = "awml_deploy.projects"
_EXTRA: dict[str, str] = {}


@dataclasses.dataclass(frozen=True)
class ProjectSpec:
    """What a project module exports as ``PROJECT``.

    Attributes:
        name: Project name.
        create_runner: ``config -> BaseDeploymentRunner``.
        default_config: Config file used when the CLI gets none, or None.
        description: One line for ``awml-deploy list``.
    """

    name: str
    create_runner: Callable[[DeployConfig], object]
    default_config: str | None = None
    description: str = ""


def register_project(name: str, module_path: str) -> None:
    """Registers (or replaces) a project.

    Args:
        name (str): Project name used on the command line.
        module_path (str): Importable module defining ``PROJECT``.
    """
    _EXTRA[name] = module_path


def entry_point_projects() -> dict[str, str]:
    """Projects registered by installed distributions (entry-point group ``awml_deploy.projects``)."""
    return {
        ep.name: ep.value.partition(":")[0].strip() for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    }


def namespace_projects() -> dict[str, str]:
    """Bundles in the ``projects`` namespace on ``sys.path``: ``projects/<name>/runner.py`` defining ``PROJECT``."""
    import pathlib
    import sys

    found: dict[str, str] = {}
    for entry in sys.path:
        folder = pathlib.Path(entry or ".") / "projects"
        if not folder.is_dir() or (folder / "__init__.py").exists():
            continue  # no folder, or a regular package (not a namespace: not ours)
        for runner in sorted(folder.glob("*/runner.py")):
            name = runner.parent.name
            try:
                text = runner.read_text(encoding="utf-8")
            except OSError:
                continue
            if name.isidentifier() and "PROJECT = ProjectSpec(" in text:
                found.setdefault(name, f"projects.{name}.runner")
    return found


def registered_projects() -> dict[str, str]:
    """All projects: the ``projects`` namespace, entry points, ``AWML_DEPLOY_PROJECTS``, then
    :func:`register_project` (later wins)."""
    projects = namespace_projects()
    projects.update(entry_point_projects())
    for item in filter(None, (s.strip() for s in os.environ.get(ENV_VAR, "").split(","))):
        name, sep, module = item.partition("=")
        if not sep or not name.strip() or not module.strip():
            expected(ENV_VAR, "malformed entry", "name=module.path[,name=module.path]", item)
        projects[name.strip()] = module.strip()
    projects.update(_EXTRA)
    return projects


def is_installed(module_path: str) -> bool:
    """Whether the module can be found (its parent packages are imported, the module is not)."""
    try:
        return importlib.util.find_spec(module_path) is not None
    except (ImportError, ValueError):
        return False


def load_project(name: str) -> ProjectSpec:
    """Imports a registered project and returns its ``PROJECT``.

    Args:
        name (str): Project name.

    Returns:
        ProjectSpec: The project.
    """
    projects = registered_projects()
    if name not in projects:
        known = "|".join(sorted(projects)) or "none registered"
        expected(
            "project",
            f"unknown project {name!r} (register it: entry point group {ENTRY_POINT_GROUP}, {ENV_VAR}=name=module)",
            "one of " + known,
            name,
        )
    module_path = projects[name]
    if not is_installed(module_path):
        fail(
            f"project {name} | module {module_path} is not installed. Note: expected an importable module, got none "
            "(run from the repository root or install the project)"
        )
    try:
        module = importlib.import_module(module_path)
    except ImportError as err:
        fail(f"project {name} | importing {module_path} failed. Note: {type(err).__name__}: {err}", cause=err)
    spec = getattr(module, "PROJECT", None)
    if not isinstance(spec, ProjectSpec):
        fail(
            f"project {name} | {module_path} has no PROJECT. Note: expected PROJECT = ProjectSpec(...), got "
            f"{type(spec).__name__}"
        )
    return spec
