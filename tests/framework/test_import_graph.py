"""The import graph of `python/` and `projects/`, read from the sources with `ast`: no circle, no arrow up a floor.

Every import counts: module level, function-local and `TYPE_CHECKING`-only ones (a function-local import hides a
circle at import time; it does not remove it). The floors are DESIGN's ("One house"):

    core < config, metrics, datasets, kernels, report, trt_plugins, preprocessing < pipelines
         < exporters, verification < evaluation < runtime < cli

An import may stay on its floor or go down, never up. `projects/*` may import the framework; the framework never
imports `projects`, and nothing imports `tests`.
"""

from __future__ import annotations

import ast
import dataclasses
import pathlib

ROOT = pathlib.Path(__file__).absolute().parents[2]  # not resolve(): under Bazel, the declared runfiles
FRAMEWORK = "awml_deploy"
FLOORS = {
    "core": 0,
    "_native": 0,
    "config": 1,
    "metrics": 1,
    "datasets": 1,
    "kernels": 1,
    "report": 1,
    "trt_plugins": 1,
    "preprocessing": 1,
    "awml": 1,
    "pipelines": 2,
    "exporters": 3,
    "verification": 3,
    "evaluation": 4,
    "runtime": 5,
    "cli": 6,
    "__main__": 7,
}
# The package root (`awml_deploy/__init__.py`) holds only the version: it sits with core.
ROOT_ROOM = "core"


@dataclasses.dataclass(frozen=True)
class Edge:
    """One import: ``source`` module imports ``target`` module (at ``path:line``)."""

    source: str
    target: str
    where: str


def module_name(path: pathlib.Path, base: pathlib.Path) -> str:
    """Dotted module name of ``path`` relative to the import root ``base``."""
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def collect_modules(roots: list[tuple[pathlib.Path, pathlib.Path]]) -> dict[str, pathlib.Path]:
    """Module name → file for every .py under each ``(import base, folder)``."""
    modules = {}
    for base, folder in roots:
        for path in sorted(folder.rglob("*.py")):
            modules[module_name(path, base)] = path
    return modules


def _resolve(name: str, known: dict[str, pathlib.Path]) -> str | None:
    """The longest known module that ``name`` is, or is inside of (None for third-party modules)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def module_edges(module: str, path: pathlib.Path, known: dict[str, pathlib.Path]) -> list[Edge]:
    """Every import in ``path`` (any depth in the file) that lands on a known module."""
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    edges = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` imports the submodule when there is one, else a name of pkg.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for name in names:
            target = _resolve(name, known)
            if target is not None and target != module:
                edges.append(Edge(module, target, f"{path}:{node.lineno}"))
    return edges


def room(module: str) -> str:
    """The room of a module: a framework subpackage (``config``...), ``projects.<name>``, or the top name."""
    parts = module.split(".")
    if parts[0] == FRAMEWORK:
        return ROOT_ROOM if len(parts) == 1 else parts[1]
    if parts[0] == "projects" and len(parts) > 1:
        return f"projects.{parts[1]}"
    return parts[0]


def find_cycles(edges: list[Edge]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def upward_arrows(edges: list[Edge]) -> list[str]:
    """Imports that climb a floor, leave the framework for `projects`, or reach into `tests`."""
    problems = []
    for edge in edges:
        src, dst = room(edge.source), room(edge.target)
        if dst == "tests":
            problems.append(f"{edge.where}: {edge.source} imports {edge.target} (nothing depends on tests)")
        elif src in FLOORS and dst.startswith("projects"):
            problems.append(f"{edge.where}: framework module {edge.source} imports the bundle {edge.target}")
        elif src in FLOORS and dst in FLOORS and FLOORS[dst] > FLOORS[src]:
            problems.append(
                f"{edge.where}: {edge.source} (floor {FLOORS[src]}, {src}) imports {edge.target} "
                f"(floor {FLOORS[dst]}, {dst})"
            )
        elif src in FLOORS and dst not in FLOORS and edge.target.startswith(FRAMEWORK + "."):
            problems.append(f"{edge.where}: {edge.target} is in no floor of this test: add its room to FLOORS")
    return problems


def graph(roots: list[tuple[pathlib.Path, pathlib.Path]], extra: list | None = None) -> list[Edge]:
    """All imports from the modules under ``roots`` to those under ``roots`` and ``extra`` (``(base, folder)``)."""
    known = collect_modules(roots + (extra or []))
    return [edge for module, path in collect_modules(roots).items() for edge in module_edges(module, path, known)]


REPO_ROOTS = [(ROOT / "python", ROOT / "python" / FRAMEWORK), (ROOT, ROOT / "projects")]


def repo_graph() -> list[Edge]:
    """The graph of `python/awml_deploy` and `projects/` (imports of `tests` are seen, not followed)."""
    return graph(REPO_ROOTS, [(ROOT, ROOT / "tests")])


def test_the_sources_are_there() -> None:
    modules = collect_modules(REPO_ROOTS)
    assert len([m for m in modules if m.startswith(FRAMEWORK)]) > 80
    assert {"projects.centerpoint.runner", "projects.yolox.runner"} <= set(modules)
    assert len({e.source for e in repo_graph()}) > 90


def _describe_cycle(component: list[str], edges: list[Edge]) -> str:
    members = set(component)
    inside = dict.fromkeys(f"{e.source} -> {e.target} ({e.where})" for e in edges if {e.source, e.target} <= members)
    return "circle " + " <-> ".join(component) + ":\n    " + "\n    ".join(inside)


def test_the_repository_has_no_import_circle() -> None:
    edges = repo_graph()
    cycles = find_cycles(edges)
    assert not cycles, "\n".join(_describe_cycle(c, edges) for c in cycles)


def test_the_framework_rooms_form_no_circle() -> None:
    rooms = [Edge(room(e.source), room(e.target), e.where) for e in repo_graph() if room(e.source) != room(e.target)]
    cycles = find_cycles(rooms)
    assert not cycles, "\n".join(_describe_cycle(c, rooms) for c in cycles)


def test_no_import_runs_up_a_floor() -> None:
    problems = upward_arrows(repo_graph())
    assert not problems, "\n".join(problems)


# The checker itself must be able to fail: synthetic trees with a circle and with arrows that run up.


def _write(tmp_path: pathlib.Path, files: dict[str, str]) -> pathlib.Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_checker_finds_a_circle_hidden_in_function_local_imports(tmp_path) -> None:
    base = _write(
        tmp_path,
        {
            "projects/demo/__init__.py": "",
            "projects/demo/export.py": "def f():\n    from projects.demo.pipelines import g\n    return g\n",
            "projects/demo/pipelines.py": "def g():\n    from .export import f\n    return f\n",
            "projects/demo/model.py": "import numpy\nfrom projects.demo import export\n",
        },
    )
    edges = graph([(base, base / "projects")])
    assert find_cycles(edges) == [["projects.demo.export", "projects.demo.pipelines"]]


def test_checker_finds_upward_and_forbidden_arrows(tmp_path) -> None:
    base = _write(
        tmp_path,
        {
            "awml_deploy/__init__.py": "",
            "awml_deploy/core/__init__.py": "",
            "awml_deploy/core/native.py": "",
            "awml_deploy/report/json_report.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from awml_deploy.runtime.context import C\n"
            ),
            "awml_deploy/runtime/context.py": "from awml_deploy.core import native\n",
            "awml_deploy/pipelines/trt.py": "def f():\n    from awml_deploy.exporters import tensorrt\n",
            "awml_deploy/exporters/__init__.py": "",
            "awml_deploy/exporters/tensorrt.py": "",
            "awml_deploy/runtime/projects.py": "import projects.demo.runner\n",
            "projects/demo/runner.py": "from awml_deploy.runtime import context\n",
        },
    )
    edges = graph([(base, base / "awml_deploy"), (base, base / "projects")])
    problems = upward_arrows(edges)
    assert len(problems) == 3, problems
    assert any(
        "awml_deploy.report.json_report (floor 1, report) imports awml_deploy.runtime.context" in p for p in problems
    )
    assert any(
        "awml_deploy.pipelines.trt (floor 2, pipelines) imports awml_deploy.exporters.tensorrt" in p for p in problems
    )
    assert any(
        "framework module awml_deploy.runtime.projects imports the bundle projects.demo.runner" in p for p in problems
    )
    assert find_cycles(edges) == []


def test_clean_synthetic_tree_passes(tmp_path) -> None:
    base = _write(
        tmp_path,
        {
            "awml_deploy/__init__.py": "",
            "awml_deploy/core/native.py": "",
            "awml_deploy/config/components.py": "from awml_deploy.core import native\n",
            "awml_deploy/cli/main.py": "from awml_deploy.config import components\nimport awml_deploy.core.native\n",
        },
    )
    edges = graph([(base, base / "awml_deploy")])
    assert len(edges) == 3
    assert upward_arrows(edges) == [] and find_cycles(edges) == []
