"""A complete, valid deploy config and a generator of invalid variants, each with the key path its error must name."""

from __future__ import annotations

import copy
from collections.abc import Iterator


def full_config() -> dict:
    """A valid config that sets every section."""
    return {
        "checkpoint_path": "model.pth",
        "devices": {"cpu": "cpu", "cuda": "cuda:0", "gpu1": "cuda:1"},
        "export": {"mode": "both", "work_dir": "work_dirs/test", "onnx_path": "given.onnx"},
        "components": {
            "encoder": {
                "onnx_file": "encoder.onnx",
                "engine_file": "encoder.engine",
                "io": {
                    "inputs": [{"name": "features", "dtype": "float32", "shape": [-1, 32, 11]}],
                    "outputs": [{"name": "pillars", "dtype": "float32", "shape": [-1, 1, 32]}],
                    "dynamic_axes": {"features": {0: "num_pillars"}, "pillars": {0: "num_pillars"}},
                },
                "tensorrt_profile": {
                    "features": {
                        "min_shape": [1000, 32, 11],
                        "opt_shape": [20000, 32, 11],
                        "max_shape": [40000, 32, 11],
                    }
                },
            },
            "head": {
                "onnx_file": "head.onnx",
                "io": {
                    "inputs": [{"name": "canvas", "dtype": "float32", "shape": [1, 32, 64, 64]}],
                    "outputs": [{"name": "heatmap", "dtype": "float32"}, {"name": "reg", "dtype": "float16"}],
                },
            },
        },
        "runtime_io": {"info_file": "infos.pkl", "sample_idx": 2},
        "onnx_config": {
            "opset_version": 17,
            "dynamo": False,
            "do_constant_folding": True,
            "export_params": True,
            "keep_initializers_as_inputs": False,
            "simplify": False,
        },
        "tensorrt_config": {
            "precision_policy": "fp16",
            "max_workspace_size": 1 << 31,
            "timing_cache": "timing.cache",
            "builder_optimization_level": 3,
        },
        "verification": {
            "enabled": True,
            "num_verify_samples": 2,
            "tolerances": {"fp32": {"atol": 1e-4, "rtol": 1e-3}, "fp16": {"atol": 1e-2, "rtol": 1e-2}},
            "per_output": {"heatmap": {"atol": 0.5, "rtol": 0.1}},
            "scenarios": {
                "both": [
                    {"ref_backend": "pytorch", "ref_device": "cpu", "test_backend": "onnx", "test_device": "cpu"},
                    {"ref_backend": "onnx", "ref_device": "gpu1", "test_backend": "tensorrt", "test_device": "cuda"},
                ],
                "onnx": [{"ref_backend": "pytorch", "ref_device": "cpu", "test_backend": "onnx", "test_device": "cpu"}],
            },
        },
        "evaluation": {
            "enabled": True,
            "num_samples": -1,
            "warmup": 3,
            "backends": {
                "pytorch": {"enabled": True, "device": "cpu"},
                "onnx": {"enabled": True, "device": "cpu", "artifact": "onnx_dir"},
                "tensorrt": {"enabled": False, "device": "gpu1"},
            },
            "max_primary_metric_delta": 0.01,
        },
        "logging": {"level": "DEBUG", "file": "run.log", "progress": False},
        "project": {"anything": [1, 2, {"x": None}]},
    }


def _walk(node: object, path: str) -> Iterator[tuple[str, object]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            if path == "project":
                continue
            yield from _walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


def _set(config: dict, path: str, value: object, delete: bool = False) -> None:
    import re

    tokens = [int(t[1:-1]) if t.startswith("[") else t for t in re.findall(r"\[\d+\]|[^.\[\]]+", path)]
    node = config
    for token in tokens[:-1]:
        node = node[token]
    last = tokens[-1]
    if isinstance(node, dict) and isinstance(last, str) and last.isdigit() and int(last) in node:
        last = int(last)
    if delete:
        del node[last]
    else:
        node[last] = value


def _wrong_values(path: str, value: object) -> list[object]:
    """Values of the wrong type for ``path`` (skipping accepted alternative forms: a tensor given by its name,
    a symbolic dimension given as a string, dynamic axes given as a list)."""
    import re

    if re.search(r"\.shape\[\d+\]$", path):
        return [2.5, [1], True]
    if re.search(r"\.io\.(inputs|outputs)\[\d+\]$", path):
        return [5, [1], None]
    if re.search(r"\.dynamic_axes\.[^.]+$", path):
        return [5, "x", None]
    if isinstance(value, bool):
        return ["yes", 1, [True]]
    if isinstance(value, int):
        return ["3", 2.5, True]
    if isinstance(value, float):
        return ["0.1", [0.5], False]
    if isinstance(value, str):
        return [5, ["x"], {"a": 1}]
    if isinstance(value, list):
        return ["x", 7, {"a": 1}]
    if isinstance(value, dict):
        return [5, "x", [1]]
    return []


def bad_configs() -> Iterator[tuple[str, dict, str]]:
    """Yields (case id, invalid config, key path the error must name)."""
    base = full_config()
    for path, value in list(_walk(base, "")):
        if not path:
            continue
        for i, wrong in enumerate(_wrong_values(path, value)):
            config = copy.deepcopy(base)
            _set(config, path, wrong)
            yield f"type:{path}:{i}", config, path
        if isinstance(value, dict) and path != "project":
            config = copy.deepcopy(base)
            _set(config, f"{path}.bogus_key", 1)
            yield f"unknown:{path}", config, f"{path}.bogus_key"
    yield from _special_cases(base)


def _case(base: dict, path: str, value: object, expect: str | None = None, delete: bool = False) -> tuple[dict, str]:
    config = copy.deepcopy(base)
    _set(config, path, value, delete)
    return config, path if expect is None else expect


def _special_cases(base: dict) -> Iterator[tuple[str, dict, str]]:
    enc = "components.encoder"
    cases = {
        # missing required keys
        "missing:io": _case(base, f"{enc}.io", None, delete=True),
        "missing:inputs": _case(base, f"{enc}.io.inputs", None, delete=True),
        "missing:outputs": _case(base, "components.head.io.outputs", None, delete=True),
        "missing:name": _case(base, f"{enc}.io.inputs[0].name", None, delete=True),
        "missing:min_shape": _case(base, f"{enc}.tensorrt_profile.features.min_shape", None, delete=True),
        "missing:ref_backend": _case(base, "verification.scenarios.onnx[0].ref_backend", None, delete=True),
        "missing:test_device": _case(base, "verification.scenarios.both[1].test_device", None, delete=True),
        "missing:components": _case(base, "components", None, delete=True),
        "missing:onnx_path_trt": _case(_without(base, "export.onnx_path"), "export.mode", "trt", "export.onnx_path"),
        "empty:components": _case(base, "components", {}),
        "empty:inputs": _case(base, f"{enc}.io.inputs", []),
        "empty:name": _case(base, f"{enc}.io.inputs[0].name", " "),
        # bad enums
        "enum:mode": _case(base, "export.mode", "fast"),
        "enum:precision": _case(base, "tensorrt_config.precision_policy", "int4"),
        "enum:level": _case(base, "logging.level", "LOUD"),
        "enum:dtype": _case(base, f"{enc}.io.inputs[0].dtype", "float8"),
        "enum:ref_backend": _case(base, "verification.scenarios.onnx[0].ref_backend", "tflite"),
        "enum:scenario_mode": _case(base, "verification.scenarios.turbo", [], "verification.scenarios.turbo"),
        "enum:eval_backend": _case(base, "evaluation.backends.tpu", {"enabled": True}, "evaluation.backends.tpu"),
        "enum:tolerance_precision": _case(base, "verification.tolerances.int8", {"atol": 1, "rtol": 1}),
        "device:gpu": _case(base, "devices.cuda", "gpu:0"),
        "device:index": _case(base, "devices.gpu1", "cuda:x"),
        "device:cpu_index": _case(base, "devices.cpu", "cpu:1"),
        "device:cpu_is_cuda": _case(base, "devices.cpu", "cuda:0"),
        "device:cuda_is_cpu": _case(base, "devices.cuda", "cpu"),
        "device:alias": _case(base, "verification.scenarios.onnx[0].test_device", "npu"),
        "device:alias_name": _case(base, "devices.bad-name", "cuda:2"),
        "device:trt_cpu": _case(base, "verification.scenarios.both[1].test_device", "cpu"),
        "device:eval_trt_cpu": _case(base, "evaluation.backends.tensorrt.device", "cpu"),
        "scenario:same": _case(
            base, "verification.scenarios.onnx[0].test_backend", "pytorch", "verification.scenarios.onnx[0]"
        ),
        # bad shapes and profiles
        "shape:min_gt_opt": _case(
            base, f"{enc}.tensorrt_profile.features.min_shape", [30000, 32, 11], f"{enc}.tensorrt_profile.features"
        ),
        "shape:rank": _case(base, f"{enc}.tensorrt_profile.features.max_shape", [40000, 32]),
        "shape:declared_rank": _case(
            base,
            f"{enc}.tensorrt_profile.features",
            {"min_shape": [1, 32], "opt_shape": [1, 32], "max_shape": [1, 32]},
            f"{enc}.tensorrt_profile.features.min_shape",
        ),
        "shape:static_dim": _case(
            base, f"{enc}.tensorrt_profile.features.max_shape", [40000, 64, 11], f"{enc}.tensorrt_profile.features"
        ),
        "shape:negative": _case(
            base,
            f"{enc}.tensorrt_profile.features.opt_shape",
            [-5, 32, 11],
            f"{enc}.tensorrt_profile.features.opt_shape[0]",
        ),
        "shape:empty": _case(base, f"{enc}.tensorrt_profile.features.opt_shape", []),
        "shape:undeclared_input": _case(
            base, f"{enc}.tensorrt_profile.pillars", {"min_shape": [1], "opt_shape": [1], "max_shape": [1]}
        ),
        "shape:axis_range": _case(
            base, f"{enc}.io.dynamic_axes.features", {5: "n"}, f"{enc}.io.dynamic_axes.features.5"
        ),
        "shape:axes_tensor": _case(base, f"{enc}.io.dynamic_axes.unknown", {0: "n"}),
        "shape:axis_static": _case(
            base, f"{enc}.io.dynamic_axes.features", {1: "c"}, f"{enc}.io.dynamic_axes.features.1"
        ),
        "shape:dim_negative": _case(base, f"{enc}.io.inputs[0].shape[1]", -4),
        "shape:dim_float": _case(base, f"{enc}.io.inputs[0].shape[2]", 1.5),
        "shape:not_dynamic": _case(
            base,
            "components.head.tensorrt_profile",
            {"canvas": {"min_shape": [1, 32, 64, 64], "opt_shape": [1, 32, 64, 64], "max_shape": [2, 32, 64, 64]}},
            "components.head.tensorrt_profile.canvas",
        ),
        "io:duplicate": _case(base, f"{enc}.io.inputs", [{"name": "a"}, {"name": "a"}], f"{enc}.io.inputs[1].name"),
        "io:clash": _case(base, f"{enc}.io.outputs", [{"name": "features"}], f"{enc}.io.outputs"),
        "file:abs": _case(base, f"{enc}.onnx_file", "/abs/encoder.onnx"),
        "file:escape": _case(base, f"{enc}.onnx_file", "../encoder.onnx"),
        "file:suffix": _case(base, f"{enc}.engine_file", "encoder.plan"),
        "file:duplicate": _case(base, "components.head.onnx_file", "encoder.onnx"),
        "log:path": _case(base, "logging.file", "logs/run.log"),
        # ranges
        "range:opset": _case(base, "onnx_config.opset_version", 5),
        "range:verify": _case(base, "verification.num_verify_samples", 0),
        "range:atol": _case(base, "verification.tolerances.fp32.atol", -1.0),
        "range:rtol_nan": _case(base, "verification.per_output.heatmap.rtol", float("nan")),
        "range:warmup": _case(base, "evaluation.warmup", -1),
        "range:num_samples": _case(base, "evaluation.num_samples", 0),
        "range:num_samples_neg": _case(base, "evaluation.num_samples", -2),
        "range:level": _case(base, "tensorrt_config.builder_optimization_level", 9),
        "range:workspace": _case(base, "tensorrt_config.max_workspace_size", 0),
        "range:sample_idx": _case(base, "runtime_io.sample_idx", -1),
        "range:delta": _case(base, "evaluation.max_primary_metric_delta", -0.5),
        "range:min_metric": _case(base, "evaluation.min_primary_metric", 1.5),
        "range:min_metric_neg": _case(base, "evaluation.min_primary_metric", -0.1),
        "range:min_metric_bool": _case(base, "evaluation.min_primary_metric", True),
        "range:min_metric_str": _case(base, "evaluation.min_primary_metric", "0.5"),
        "unknown:top": _case(base, "checkpoint", "x.pth"),
    }
    for name, (config, path) in cases.items():
        yield name, config, path


def _without(base: dict, path: str) -> dict:
    config = copy.deepcopy(base)
    _set(config, path, None, delete=True)
    return config
