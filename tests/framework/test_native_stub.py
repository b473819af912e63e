"""`_native.pyi` against the extension: every name, every parameter (name, order, default) and a coarse type of
every parameter, return value, property and constant, read from pybind11's docstring signatures and the stub's AST.
TensorRT-only names (absent from a build without TensorRT) are checked against the py::arg lists of
trt_bindings.cc instead, so the stub cannot drift from them either."""

from __future__ import annotations

import ast
import inspect
import pathlib
import re

import pytest

_native = pytest.importorskip("awml_deploy._native")

ROOT = pathlib.Path(__file__).resolve().parents[2]
STUB = ROOT / "python/awml_deploy/_native.pyi"
TRT_BINDINGS = ROOT / "cpp/trt_runtime/pybind/trt_bindings.cc"
TRT_ONLY = {"tensorrt_version", "build_engine", "TrtRunner"}
STUB_ONLY_TYPES = {"TensorDecl", "EngineIo", "CenterPointSettings", "CenterPointDetections", "PrecisionRecipe"}
STUB_ONLY_TYPES |= {"ShapeRangeDecl", "IoSpecDecl", "BuildReport"}


def category(text: str | None, aliases: dict[str, str]) -> str:
    """A coarse type class shared by pybind11's and the stub's spellings ("int", "array", "dict", a class name)."""
    if text is None:
        return "?"
    text = aliases.get(text.strip(), text.strip())
    optional = re.search(r"\|\s*None\s*$", text) is not None
    text = re.sub(r"\s*\|\s*None\s*$", "", text)
    rules = [
        (r"^(object|Callable)", "callable"),
        (r"^(collections\.abc\.)?Sequence\[(collections\.abc\.Sequence|tuple)\[", "sequence"),  # of sequences
        (r"SupportsInt|^int$", "int"),
        (r"SupportsFloat|^float$", "float"),
        (r"ArrayLike|NDArray|ndarray", "array"),
        (r"^(typing\.)?Annotated\[list\[float\]", "list"),
        (r"^tuple", "tuple"),
        (r"^(dict|Mapping)\b|^(" + "|".join(STUB_ONLY_TYPES) + ")$", "dict"),
        (r"^list", "list"),
        (r"^(collections\.abc\.)?Sequence", "sequence"),
        (r"^(str|bool|None)$", None),
    ]
    name = text
    for pattern, cls in rules:
        if re.search(pattern, text):
            name = cls if cls is not None else text
            break
    else:
        name = text.split("[")[0].split(".")[-1]
    return name + ("?" if optional else "")


def parse_pybind(doc: str) -> tuple[list[tuple[str, bool, str]], str]:
    """(params (name, has_default, type), return type) of the first pybind11 signature line, `self` dropped."""
    line = doc.strip().splitlines()[0]
    match = re.match(r"^\w*\((.*)\) -> (.+)$", line)
    assert match, line
    params, depth, current = [], 0, ""
    for ch in match.group(1) + ",":
        if ch == "," and depth == 0:
            if current.strip():
                params.append(current.strip())
            current = ""
            continue
        depth += ch in "[(" and 1 or (ch in "])" and -1 or 0)
        current += ch
    out = []
    for p in params:
        name, _, rest = p.partition(": ")
        annotation, _, default = rest.partition(" = ")
        if name not in ("self", "arg0"):
            out.append((name, bool(default), annotation))
    return out, match.group(2)


def stub_tree() -> tuple[dict[str, ast.AST], dict[str, str]]:
    tree = ast.parse(STUB.read_text())
    names: dict[str, ast.AST] = {}
    aliases: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign):
            names[node.target.id] = node
        elif isinstance(node, ast.Assign):
            aliases[node.targets[0].id] = ast.unparse(node.value)
    return names, aliases


def stub_signature(fn: ast.FunctionDef, aliases: dict[str, str]) -> tuple[list[tuple[str, bool, str]], str]:
    args = [a for a in fn.args.args if a.arg != "self"]
    first_default = len(args) - len(fn.args.defaults)
    params = [(a.arg, i >= first_default, category(ast.unparse(a.annotation), aliases)) for i, a in enumerate(args)]
    return params, category(ast.unparse(fn.returns) if fn.returns else None, aliases)


def native_signature(obj, aliases) -> tuple[list[tuple[str, bool, str]], str]:
    params, returns = parse_pybind(obj.__doc__)
    return [(n, d, category(t, aliases)) for n, d, t in params], category(returns, aliases)


def public(names) -> set[str]:
    return {n for n in names if not n.startswith("_")}


def test_every_name_of_the_extension_is_in_the_stub_and_back() -> None:
    names, _ = stub_tree()
    real = public(dir(_native))
    declared = public(names) - STUB_ONLY_TYPES
    expected_missing = set() if _native.TENSORRT_AVAILABLE else TRT_ONLY
    assert real - declared == set(), "in the extension, not in the stub"
    assert declared - real == expected_missing, "in the stub, not in the extension"


def test_functions_classes_and_constants_match() -> None:
    names, aliases = stub_tree()
    checked = 0
    for name in sorted(public(dir(_native))):
        obj, node = getattr(_native, name), names[name]
        if isinstance(node, ast.AnnAssign):
            assert category(ast.unparse(node.annotation), aliases) == category(type(obj).__name__, {}), name
        elif isinstance(node, ast.FunctionDef):
            assert stub_signature(node, aliases) == native_signature(obj, aliases), name
        elif inspect.isclass(obj) and issubclass(obj, Exception):
            assert [ast.unparse(b) for b in node.bases] == ["RuntimeError"] and issubclass(obj, RuntimeError), name
        else:
            check_class(obj, node, aliases)
        checked += 1
    assert checked >= 30


def check_class(cls, node: ast.ClassDef, aliases: dict[str, str]) -> None:
    members = {n.name if hasattr(n, "name") else n.target.id: n for n in node.body if not isinstance(n, ast.Expr)}
    real = {k: v for k, v in vars(cls).items() if not k.startswith("_") or k == "__init__"}
    assert set(real) == set(members), f"{cls.__name__}: members differ"
    for key, value in real.items():
        stub = members[key]
        where = f"{cls.__name__}.{key}"
        if isinstance(value, property):
            params, returns = parse_pybind(value.fget.__doc__)
            read_only = isinstance(stub, ast.FunctionDef)
            assert read_only == (value.fset is None), f"{where}: read-only differs"
            annotation = stub.returns if read_only else stub.annotation
            assert category(ast.unparse(annotation), aliases) == category(returns, aliases), where
        else:
            assert stub_signature(stub, aliases) == native_signature(value, aliases), where


def trt_args(source: str, name: str) -> list[tuple[str, bool]]:
    """py::arg names (and whether each has a default) of `.def("name", ...)` in trt_bindings.cc."""
    match = re.search(r'def\(\s*"' + name + r'",(.*?)(?:\)\s*;|\.def\()', source, re.S)
    assert match, name
    return [(n, bool(d)) for n, d in re.findall(r'py::arg\("(\w+)"\)(\s*=)?', match.group(1))]


def test_tensorrt_only_signatures_match_trt_bindings() -> None:
    names, aliases = stub_tree()
    source = TRT_BINDINGS.read_text()
    for fn in ("tensorrt_version", "build_engine"):
        params, _ = stub_signature(names[fn], aliases)
        assert [(n, d) for n, d, _ in params] == trt_args(source, fn), fn
    runner = {n.name: n for n in names["TrtRunner"].body if isinstance(n, ast.FunctionDef)}
    init = re.search(r"py::class_<PyTrtRunner>.*?py::init<.*?>\(\),(.*?)\)\s*\n\s*\.def\(\"infer\"", source, re.S)
    assert init
    init_args = [(n, bool(d)) for n, d in re.findall(r'py::arg\("(\w+)"\)(\s*=)?', init.group(1))]
    assert [(n, d) for n, d, _ in stub_signature(runner["__init__"], aliases)[0]] == init_args
    for method in ("infer", "infer_device", "output_shape", "capture_graph", "layer_times"):
        params, _ = stub_signature(runner[method], aliases)
        assert [(n, d) for n, d, _ in params] == trt_args(source, method), method
    assert set(runner) - {"__init__"} == set(re.findall(r'\.def\("(\w+)", &PyTrtRunner::', source))


def test_the_checker_sees_a_drifted_stub() -> None:
    """The comparison is not vacuous: a renamed parameter or a missing default changes the signature tuple."""
    _, aliases = stub_tree()
    fn = ast.parse("def detect(self, pts: npt.ArrayLike) -> CenterPointDetections: ...").body[0]
    assert stub_signature(fn, aliases) != native_signature(_native.CenterPointRuntime.detect, aliases)
    fn = ast.parse("def __init__(self, settings: CenterPointSettings, engines: Sequence[str], device: str): ...")
    assert stub_signature(fn.body[0], aliases) != native_signature(_native.CenterPointRuntime.__init__, aliases)
    ok = ast.parse("def detect(self, points: npt.ArrayLike) -> CenterPointDetections: ...").body[0]
    assert stub_signature(ok, aliases) == native_signature(_native.CenterPointRuntime.detect, aliases)
