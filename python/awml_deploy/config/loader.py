"""Loading raw configs from Python (mmengine `Config.fromfile`), YAML or JSON files.

Data formats are loaded with limits: YAML and JSON nesting deeper than :data:`MAX_DEPTH`, or a YAML document
whose aliases expand to more than :data:`MAX_NODES` nodes (an "alias bomb"), is one line (exit 2) before
anything is expanded. Unknown top-level keys are rejected before the mapping is validated or frozen.
"""

from __future__ import annotations

import json
import pathlib
import types
from collections.abc import Iterable
from typing import Any

from awml_deploy.config.deploy_config import TOP_LEVEL_KEYS, DeployConfig, parse_config
from awml_deploy.config.overrides import apply_overrides
from awml_deploy.core.errors import expected, fail

SUFFIXES = (".py", ".yaml", ".yml", ".json")
MAX_DEPTH = 64
MAX_NODES = 200_000


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
            f"{path} | cannot parse the config file. Note: {type(err).__name__}: {' '.join(str(err).split())[:300]}",
            cause=err,
        )
    except (RecursionError, MemoryError) as err:
        fail(
            f"{path} | the config is nested too deeply or too large. Note: expected at most {MAX_DEPTH} levels, "
            f"got {type(err).__name__}",
            cause=err,
        )
    if not isinstance(data, dict):
        expected(str(path), "the config file must define a mapping", "a mapping at the top level", type(data).__name__)
    check_size(data, str(path))
    return data


def check_size(value: Any, subject: str) -> None:
    """Fails when ``value`` nests deeper than :data:`MAX_DEPTH` or, with shared objects counted at each use,
    holds more than :data:`MAX_NODES` values (iterative: no recursion on hostile input).

    Args:
        value (Any): A loaded config (dicts, lists, tuples, scalars).
        subject (str): The file or option, for messages.
    """
    count = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            expected(subject, "the config expands to too many values (shared aliases?)", f"at most {MAX_NODES}", count)
        if isinstance(node, dict):
            children = [*node.keys(), *node.values()]
        elif isinstance(node, (list, tuple, set)):
            children = list(node)
        else:
            continue
        if depth >= MAX_DEPTH and children:
            expected(subject, "the config is nested too deeply", f"at most {MAX_DEPTH} levels", f"more than {depth}")
        stack.extend((child, depth + 1) for child in children)


def check_top_level_keys(raw: dict, subject: str | None = None) -> None:
    """Rejects unknown top-level keys before the mapping is validated (or anything is expanded).

    Args:
        raw (dict): The loaded and overridden config.
        subject (str | None): Unused prefix for messages. Defaults to none.
    """
    del subject
    for key in raw:
        if not isinstance(key, str) or key not in TOP_LEVEL_KEYS:
            expected(str(key), "unknown key", "one of " + "|".join(sorted(TOP_LEVEL_KEYS)), key)


def _load_yaml(path: pathlib.Path) -> Any:
    try:
        import yaml
    except ImportError as err:
        fail(f"{path} | YAML configs need PyYAML. Note: expected `pip install pyyaml`, got ImportError", cause=err)
    loader = _limited_yaml_loader(yaml)(path.read_text(encoding="utf-8"))
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_yaml_graph(yaml, node, str(path))
        return loader.construct_document(node)
    except yaml.YAMLError as err:
        raise ValueError(" ".join(str(err).split())) from err
    finally:
        loader.dispose()


def _limited_yaml_loader(yaml: Any) -> type:
    """A SafeLoader whose composer stops at :data:`MAX_DEPTH` levels (before any recursion limit)."""

    class _Loader(yaml.SafeLoader):
        _depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self._depth += 1
            try:
                if self._depth > MAX_DEPTH:
                    mark = self.peek_event().start_mark
                    raise yaml.YAMLError(f"nested deeper than {MAX_DEPTH} levels at line {mark.line + 1}")
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return _Loader


def _check_yaml_graph(yaml: Any, root: Any, subject: str) -> None:
    """Counts the nodes the composed graph expands to (aliases counted at each use) without expanding it."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: Any) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise yaml.YAMLError("an alias refers to a node that contains it (recursive structure)")
        in_progress.add(key)
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(child) for child in node.value)
        else:
            total = 1
        in_progress.discard(key)
        sizes[key] = min(total, MAX_NODES + 1)
        return sizes[key]

    total = size(root)
    if total > MAX_NODES:
        expected(
            subject, "the YAML aliases expand to too many values", f"at most {MAX_NODES}", f"more than {MAX_NODES}"
        )


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
    check_top_level_keys(raw)
    check_size(raw, "config")
    return parse_config(raw)
