"""Loading raw configs from Python (mmengine `Config.fromfile`), YAML or JSON files."""

from __future__ import annotations

import json
import pathlib
import types
from collections.abc import Iterable
from typing import Any

from awml_deploy.config.deploy_config import DeployConfig, parse_config
from awml_deploy.config.overrides import apply_overrides
from awml_deploy.core.errors import expected, fail

SUFFIXES = (".py", ".yaml", ".yml", ".json")


def load_raw(path: str | pathlib.Path) -> dict:
    """Loads a config file into a plain dict.

    Python files go through mmengine ``Config.fromfile`` when mmengine is installed (``_base_`` inheritance),
    otherwise they are executed; either way only public top-level names are kept (``_helper`` names,
    modules, functions and classes are dropped).

    Args:
        path (str | pathlib.Path): A .py, .yaml/.yml or .json file.

    Returns:
        dict: The raw config.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        expected(str(path), "config file not found", "an existing .py/.yaml/.json file", str(path))
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        expected(str(path), "unsupported config format", "one of " + "|".join(SUFFIXES), suffix)
    try:
        if suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
        elif suffix in (".yaml", ".yml"):
            data = _load_yaml(path)
        else:
            data = _load_python(path)
    except (ValueError, SyntaxError, OSError) as err:
        fail(
            f"{path} | cannot parse the config file. Note: {type(err).__name__}: {' '.join(str(err).split())}",
            cause=err,
        )
    if not isinstance(data, dict):
        expected(str(path), "the config file must define a mapping", "a mapping at the top level", type(data).__name__)
    return data


def _load_yaml(path: pathlib.Path) -> Any:
    try:
        import yaml
    except ImportError as err:
        fail(f"{path} | YAML configs need PyYAML. Note: expected `pip install pyyaml`, got ImportError", cause=err)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ValueError(str(err)) from err


def _load_python(path: pathlib.Path) -> dict:
    try:
        from mmengine.config import Config
    except ImportError:
        return _exec_python(path)
    try:
        data = Config.fromfile(str(path)).to_dict()
    except Exception as err:  # noqa: BLE001 - mmengine raises many types; one clear line instead
        raise ValueError(f"mmengine could not load it: {err}") from err
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _exec_python(path: pathlib.Path) -> dict:
    import runpy

    try:
        namespace = runpy.run_path(str(path))
    except SyntaxError:
        raise
    except Exception as err:  # noqa: BLE001 - user code; reported on one line
        raise ValueError(f"executing it raised {type(err).__name__}: {err}") from err
    return {
        k: v
        for k, v in namespace.items()
        if not k.startswith("_") and not isinstance(v, (types.ModuleType, types.FunctionType, type))
    }


def load_config(
    path: str | pathlib.Path | None = None, overrides: Iterable[str] | None = None, base: dict | None = None
) -> DeployConfig:
    """Loads, overrides and validates a config.

    Args:
        path (str | pathlib.Path | None): Config file. Defaults to none (``base`` only).
        overrides (Iterable[str] | None): ``a.b=c`` strings. Defaults to none.
        base (dict | None): Raw mapping used when ``path`` is None. Defaults to an empty mapping.

    Returns:
        DeployConfig: The validated config.
    """
    raw = load_raw(path) if path is not None else dict(base or {})
    raw = apply_overrides(raw, overrides or ())
    return parse_config(raw)
