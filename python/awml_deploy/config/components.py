"""The `components` section: per exported graph, its files, declared I/O and TensorRT profiles."""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping
from types import MappingProxyType

from awml_deploy.config.reader import SectionReader, as_choice, as_int, as_list, as_mapping, as_shape, as_str
from awml_deploy.core.errors import expected

DTYPES = ("float32", "float16", "bfloat16", "int64", "int32", "int8", "uint8", "bool")


@dataclasses.dataclass(frozen=True)
class TensorSpec:
    """One declared graph input or output.

    Attributes:
        name: Tensor name in the graph.
        dtype: One of DTYPES.
        shape: Dimensions (int, or None for a dynamic dimension), or None when not declared.
    """

    name: str
    dtype: str = "float32"
    shape: tuple[int | None, ...] | None = None


@dataclasses.dataclass(frozen=True)
class TensorRTProfile:
    """Optimisation profile of one input.

    Attributes:
        min_shape: Smallest shape.
        opt_shape: Shape TensorRT tunes for.
        max_shape: Largest shape.
    """

    min_shape: tuple[int, ...]
    opt_shape: tuple[int, ...]
    max_shape: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class ComponentIO:
    """Declared I/O of a component.

    Attributes:
        inputs: Graph inputs in call order.
        outputs: Graph outputs in return order.
        dynamic_axes: Tensor name → {axis: symbolic name}.
    """

    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    dynamic_axes: Mapping[str, Mapping[int, str]]

    @property
    def input_names(self) -> tuple[str, ...]:
        """tuple[str, ...]: Input names."""
        return tuple(t.name for t in self.inputs)

    @property
    def output_names(self) -> tuple[str, ...]:
        """tuple[str, ...]: Output names."""
        return tuple(t.name for t in self.outputs)

    def to_json_dict(self) -> dict:
        """JSON form (ONNX metadata and report)."""
        return {
            "inputs": [dataclasses.asdict(t) for t in self.inputs],
            "outputs": [dataclasses.asdict(t) for t in self.outputs],
            "dynamic_axes": {k: {str(a): n for a, n in v.items()} for k, v in self.dynamic_axes.items()},
        }


@dataclasses.dataclass(frozen=True)
class ComponentConfig:
    """One exported graph.

    Attributes:
        name: Component id (the key in `components`).
        onnx_file: ONNX file name, relative to the ONNX artifact directory.
        engine_file: Engine file name, relative to the TensorRT artifact directory.
        io: Declared I/O.
        tensorrt_profile: Input name → profile.
    """

    name: str
    onnx_file: str
    engine_file: str
    io: ComponentIO
    tensorrt_profile: Mapping[str, TensorRTProfile]


def _relative_file(value: object, path: str, suffix: str) -> str:
    text = as_str(value, path)
    parts = pathlib.PurePosixPath(text).parts
    if text.startswith("/") or ".." in parts:
        expected(path, "must be a relative path inside the artifact directory", f"a name like 'model{suffix}'", text)
    if not text.endswith(suffix):
        expected(path, f"must end with {suffix}", f"a name like 'model{suffix}'", text)
    return text


def _dim(value: object, path: str) -> int | None:
    if value is None or isinstance(value, str) or value == -1:
        return None
    return as_int(value, path, minimum=0)


def _tensor_specs(value: object, path: str) -> tuple[TensorSpec, ...]:
    specs = []
    for i, item in enumerate(as_list(value, path, non_empty=True)):
        item_path = f"{path}[{i}]"
        if isinstance(item, str):
            item = {"name": item}
        reader = SectionReader(item, item_path)
        name = reader.get("name", as_str)
        dtype = reader.get("dtype", as_choice, "float32", DTYPES)
        shape = reader.get("shape", as_list, None)
        if shape is not None:
            shape = tuple(_dim(d, f"{item_path}.shape[{j}]") for j, d in enumerate(shape))
        reader.finish()
        if name in {s.name for s in specs}:
            expected(f"{item_path}.name", "duplicate tensor name", "unique names", name)
        specs.append(TensorSpec(name, dtype, shape))
    return tuple(specs)


def _dynamic_axes(value: object, path: str, specs: dict[str, TensorSpec]) -> Mapping[str, Mapping[int, str]]:
    result: dict[str, Mapping[int, str]] = {}
    for name, axes in as_mapping(value, path).items():
        key = f"{path}.{name}"
        if name not in specs:
            expected(key, "not a declared input or output", "one of " + "|".join(specs), name)
        if isinstance(axes, (list, tuple)):
            axes = {a: f"{name}_dim{a}" for a in axes}
        axis_map: dict[int, str] = {}
        for axis, label in _axes_mapping(axes, key).items():
            if isinstance(axis, str) and axis.isdigit():
                axis = int(axis)
            axis = as_int(axis, f"{key}.{axis}", minimum=0)
            rank = None if specs[name].shape is None else len(specs[name].shape)
            if rank is not None and axis >= rank:
                expected(f"{key}.{axis}", "axis out of range for the declared shape", f"an axis < {rank}", axis)
            if rank is not None and specs[name].shape[axis] is not None:
                expected(
                    f"{key}.{axis}",
                    "axis is static in the declared shape",
                    "-1 or a name in shape",
                    specs[name].shape[axis],
                )
            axis_map[axis] = as_str(label, f"{key}.{axis}")
        result[name] = MappingProxyType(axis_map)
    return MappingProxyType(result)


def _axes_mapping(value: object, path: str) -> Mapping:
    """A mapping whose keys may be ints (dynamic axes)."""
    if not isinstance(value, Mapping):
        expected(path, f"must be a mapping or a list of axes, not {type(value).__name__}", "{axis: name}", value)
    return value


def _profile(value: object, path: str, spec: TensorSpec, dynamic: Mapping[int, str]) -> TensorRTProfile:
    reader = SectionReader(value, path)
    shapes = [reader.get(k, as_shape) for k in ("min_shape", "opt_shape", "max_shape")]
    reader.finish()
    rank = len(shapes[0])
    for key, shape in zip(("opt_shape", "max_shape"), shapes[1:], strict=True):
        if len(shape) != rank:
            expected(f"{path}.{key}", "rank differs from min_shape", f"{rank} dimensions", list(shape))
    if spec.shape is not None and len(spec.shape) != rank:
        expected(
            f"{path}.min_shape",
            f"rank differs from the declared shape of {spec.name}",
            f"{len(spec.shape)} dimensions",
            list(shapes[0]),
        )
    for axis in range(rank):
        lo, opt, hi = (s[axis] for s in shapes)
        if not lo <= opt <= hi:
            expected(f"{path}", f"axis {axis} must satisfy min <= opt <= max", "min <= opt <= max", [lo, opt, hi])
        declared = None if spec.shape is None else spec.shape[axis]
        if declared is not None and not lo == opt == hi == declared:
            expected(
                f"{path}", f"axis {axis} is static ({declared}) in io", f"min = opt = max = {declared}", [lo, opt, hi]
            )
        if lo != hi and axis not in dynamic and (spec.shape is None or declared is not None):
            expected(
                f"{path}",
                f"axis {axis} varies but is not dynamic in io.dynamic_axes",
                f"min = max on axis {axis}",
                [lo, hi],
            )
    return TensorRTProfile(*shapes)


def parse_component(name: str, value: object) -> ComponentConfig:
    """Parses one entry of ``components``; profiles are checked against ``io``."""
    path = f"components.{name}"
    reader = SectionReader(value, path)
    onnx_file = reader.get("onnx_file", _relative_file, f"{name}.onnx", ".onnx")
    engine_file = reader.get("engine_file", _relative_file, f"{name}.engine", ".engine")
    io_reader = SectionReader(reader.get("io", as_mapping), f"{path}.io")
    inputs = io_reader.get("inputs", _tensor_specs)
    outputs = io_reader.get("outputs", _tensor_specs)
    specs = {s.name: s for s in inputs + outputs}
    if len(specs) != len(inputs) + len(outputs):
        clash = sorted({s.name for s in inputs} & {s.name for s in outputs})
        expected(f"{path}.io.outputs", "an output has the same name as an input", "distinct names", clash)
    dynamic_axes = io_reader.get("dynamic_axes", _dynamic_axes, MappingProxyType({}), specs)
    io_reader.finish()
    io = ComponentIO(inputs, outputs, dynamic_axes)
    profiles = {}
    for input_name, raw in as_mapping(
        reader.get("tensorrt_profile", as_mapping, {}), f"{path}.tensorrt_profile"
    ).items():
        key = f"{path}.tensorrt_profile.{input_name}"
        if input_name not in io.input_names:
            expected(key, "profile for an undeclared input", "one of " + "|".join(io.input_names), input_name)
        profiles[input_name] = _profile(raw, key, specs[input_name], dynamic_axes.get(input_name, {}))
    reader.finish()
    return ComponentConfig(name, onnx_file, engine_file, io, MappingProxyType(profiles))


def parse_components(value: object) -> Mapping[str, ComponentConfig]:
    """Parses ``components`` (at least one component; file names unique)."""
    if value is None or (isinstance(value, Mapping) and not value):
        expected("components", "at least one component is required", "{name: {io: {inputs, outputs}}}", value)
    raw = as_mapping(value, "components")
    components = {name: parse_component(name, item) for name, item in raw.items()}
    for key in ("onnx_file", "engine_file"):
        seen: dict[str, str] = {}
        for comp in components.values():
            file_name = getattr(comp, key)
            if file_name in seen:
                expected(
                    f"components.{comp.name}.{key}",
                    f"same file as components.{seen[file_name]}",
                    "unique file names",
                    file_name,
                )
            seen[file_name] = comp.name
    return MappingProxyType(components)


def component_io_spec(component: ComponentConfig) -> dict:
    """The runtime's I/O contract for one component: names, dtypes, shapes (-1 dynamic) and its profile.

    Args:
        component (ComponentConfig): Component with declared shapes.

    Returns:
        dict: ``{"inputs": [...], "outputs": [...], "profiles": [{name: {"min", "opt", "max"}}]}``.
    """
    spec: dict = {"inputs": [], "outputs": [], "profiles": []}
    for kind, tensors in (("inputs", component.io.inputs), ("outputs", component.io.outputs)):
        for i, tensor in enumerate(tensors):
            if tensor.shape is None:
                expected(
                    f"components.{component.name}.io.{kind}[{i}].shape",
                    "TensorRT needs every tensor's shape",
                    "a list of dims (-1 for dynamic)",
                    None,
                )
            shape = [-1 if d is None else d for d in tensor.shape]
            spec[kind].append({"name": tensor.name, "dtype": tensor.dtype, "shape": shape})
    if component.tensorrt_profile:
        profile = {
            name: {"min": list(p.min_shape), "opt": list(p.opt_shape), "max": list(p.max_shape)}
            for name, p in component.tensorrt_profile.items()
        }
        spec["profiles"].append(profile)
    return spec
