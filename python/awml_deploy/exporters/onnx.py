"""ONNX exporter: `torch.onnx.export` with an explicit `dynamo=` choice, checker, shape inference, metadata."""

from __future__ import annotations

import dataclasses
import json
import pathlib
from collections.abc import Mapping
from typing import Any

from awml_deploy.config.components import ComponentConfig
from awml_deploy.config.sections import OnnxConfig
from awml_deploy.core.errors import EXIT_GATE_FAILED, fail
from awml_deploy.core.fsio import atomic_write
from awml_deploy.core.logging import get_logger

_LOG = get_logger("export.onnx")
METADATA_PREFIX = "awml_deploy."
_ONNX_DTYPES = {1: "float32", 10: "float16", 16: "bfloat16", 7: "int64", 6: "int32", 3: "int8", 2: "uint8", 9: "bool"}


@dataclasses.dataclass(frozen=True)
class OnnxExportInfo:
    """What one export did.

    Attributes:
        component: Component name.
        path: ONNX file.
        dynamo: Exporter used.
        opset: Opset.
        num_nodes: Node count of the saved graph.
        simplified: "onnxslim", "onnxsim", "not requested" or "skipped: <reason>".
        metadata: Stamped metadata.
    """

    component: str
    path: str
    dynamo: bool
    opset: int
    num_nodes: int
    simplified: str
    metadata: Mapping[str, str]

    def to_json_dict(self) -> dict:
        """JSON form."""
        return {**dataclasses.asdict(self), "metadata": dict(self.metadata)}


def import_onnx():
    """Imports onnx or fails with an install hint."""
    try:
        import onnx
    except ImportError as err:
        fail(
            "onnx | the onnx package is not installed. Note: expected `pip install awml-deploy[export]`, got ImportError",
            cause=err,
        )
    return onnx


def _graph_io(model: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    initializers = {init.name for init in model.graph.initializer}

    def entries(values):
        return [
            (v.name, _ONNX_DTYPES.get(v.type.tensor_type.elem_type, str(v.type.tensor_type.elem_type)))
            for v in values
            if v.name not in initializers
        ]

    return entries(model.graph.input), entries(model.graph.output)


def check_declared_io(model: Any, component: ComponentConfig) -> None:
    """Fails when the graph's inputs/outputs (names, order, dtypes) differ from ``component.io``.

    Args:
        model (onnx.ModelProto): The exported model.
        component (ComponentConfig): The declared contract.
    """
    inputs, outputs = _graph_io(model)
    for kind, actual, declared in (("inputs", inputs, component.io.inputs), ("outputs", outputs, component.io.outputs)):
        want = [(t.name, t.dtype) for t in declared]
        if actual != want:
            fail(
                f"components.{component.name}.io.{kind} | exported graph differs from the declared I/O. "
                f"Note: expected {want}, got {actual}"
            )


def _simplify(model: Any) -> tuple[Any, str]:
    try:
        import onnxslim
    except ImportError:
        onnxslim = None
    if onnxslim is not None:
        return onnxslim.slim(model), "onnxslim"
    try:
        import onnxsim
    except ImportError:
        return model, "skipped: neither onnxslim nor onnxsim is installed"
    simplified, ok = onnxsim.simplify(model)
    return (simplified, "onnxsim") if ok else (model, "skipped: onnxsim check failed")


class OnnxExporter:
    """Exports one component to ONNX and validates it.

    Args:
        config (OnnxConfig): Exporter settings.
        metadata (Mapping[str, str] | None): Run-level metadata stamped into every model (producer, version, git
            sha, config hash). Defaults to none.
    """

    def __init__(self, config: OnnxConfig, metadata: Mapping[str, str] | None = None) -> None:
        self.config = config
        self.metadata = dict(metadata or {})

    def export(
        self, module: Any, args: tuple, component: ComponentConfig, output_path: str | pathlib.Path
    ) -> OnnxExportInfo:
        """Exports ``module(*args)`` to ``output_path`` (atomically), then checks and stamps it.

        Args:
            module (torch.nn.Module): The module to trace.
            args (tuple): Example inputs in ``component.io.inputs`` order.
            component (ComponentConfig): Names, dynamic axes and the declared I/O contract.
            output_path (str | pathlib.Path): Destination file.

        Returns:
            OnnxExportInfo: What was exported.
        """
        from awml_deploy.pipelines.torch_backend import import_torch

        torch = import_torch()
        onnx = import_onnx()
        cfg = self.config
        output_path = pathlib.Path(output_path)
        dynamic_axes = {name: dict(axes) for name, axes in component.io.dynamic_axes.items()} or None
        kwargs: dict[str, Any] = dict(
            input_names=list(component.io.input_names),
            output_names=list(component.io.output_names),
            dynamic_axes=dynamic_axes,
            opset_version=cfg.opset_version,
            export_params=cfg.export_params,
            dynamo=cfg.dynamo,
        )
        if cfg.dynamo:
            kwargs["external_data"] = False
        else:
            kwargs.update(
                do_constant_folding=cfg.do_constant_folding, keep_initializers_as_inputs=cfg.keep_initializers_as_inputs
            )
        _LOG.info("exporting %s → %s (dynamo=%s, opset %d)", component.name, output_path, cfg.dynamo, cfg.opset_version)

        def write(tmp: pathlib.Path) -> None:
            import warnings

            module.eval()
            try:
                with torch.no_grad(), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    torch.onnx.export(module, tuple(args), str(tmp), **kwargs)
            except Exception as err:  # noqa: BLE001 - torch raises many types; one clear line
                fail(
                    f"components.{component.name} | torch.onnx.export failed. Note: {type(err).__name__}: "
                    f"{' '.join(str(err).split())[:300]}",
                    exit_code=EXIT_GATE_FAILED,
                    cause=err,
                )
            model = onnx.load(str(tmp))
            self._finish(model, component, tmp, info)

        info: dict[str, Any] = {}
        atomic_write(output_path, write)
        return OnnxExportInfo(
            component.name,
            str(output_path),
            cfg.dynamo,
            cfg.opset_version,
            info["num_nodes"],
            info["simplified"],
            info["metadata"],
        )

    def _finish(self, model: Any, component: ComponentConfig, tmp: pathlib.Path, info: dict) -> None:
        onnx = import_onnx()
        try:
            onnx.checker.check_model(model, full_check=False)
            model = onnx.shape_inference.infer_shapes(model, check_type=True)
        except Exception as err:  # noqa: BLE001 - onnx raises ValidationError/InferenceError
            fail(
                f"components.{component.name} | exported ONNX is invalid. Note: {type(err).__name__}: "
                f"{' '.join(str(err).split())[:300]}",
                exit_code=EXIT_GATE_FAILED,
                cause=err,
            )
        check_declared_io(model, component)
        simplified = "not requested"
        if self.config.simplify:
            model, simplified = _simplify(model)
            if simplified.startswith("skipped"):
                _LOG.warning("onnx simplify %s", simplified)
        metadata = {
            **self.metadata,
            "component": component.name,
            "io": json.dumps(component.io.to_json_dict(), sort_keys=True),
            "dynamo": str(self.config.dynamo).lower(),
        }
        stamped = {METADATA_PREFIX + k: str(v) for k, v in metadata.items()}
        kept = [p for p in model.metadata_props if not p.key.startswith(METADATA_PREFIX)]
        del model.metadata_props[:]
        model.metadata_props.extend(kept)
        for key, value in stamped.items():
            model.metadata_props.add(key=key, value=value)
        onnx.save(model, str(tmp))
        info.update(num_nodes=len(model.graph.node), simplified=simplified, metadata=stamped)


def read_metadata(path: str | pathlib.Path) -> dict[str, str]:
    """The awml_deploy metadata stamped into an ONNX file (prefix stripped).

    Args:
        path (str | pathlib.Path): ONNX file.

    Returns:
        dict[str, str]: Metadata.
    """
    onnx = import_onnx()
    model = onnx.load(str(path), load_external_data=False)
    return {p.key[len(METADATA_PREFIX) :]: p.value for p in model.metadata_props if p.key.startswith(METADATA_PREFIX)}
