"""ONNX Runtime backend: `OnnxSessionFromPath` (lazy loader) and `OnnxRuntimeRunner`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.errors import fail
from awml_deploy.core.logging import get_logger
from awml_deploy.pipelines.runner import BaseRunner

_LOG = get_logger("onnxruntime")


def import_onnxruntime():
    """Imports onnxruntime or fails with an install hint."""
    try:
        import onnxruntime
    except ImportError as err:
        fail(
            "onnx | onnxruntime is not installed. Note: expected `pip install onnxruntime` (or onnxruntime-gpu), got ImportError",
            cause=err,
        )
    return onnxruntime


def providers_for(device: DeviceSpec, available: Sequence[str]) -> list:
    """Execution providers for ``device``; a CUDA device without the CUDA provider is an error.

    Args:
        device (DeviceSpec): Target device.
        available (Sequence[str]): ``onnxruntime.get_available_providers()``.

    Returns:
        list: Provider list for ``InferenceSession``.
    """
    if not device.is_cuda:
        return ["CPUExecutionProvider"]
    if "CUDAExecutionProvider" not in available:
        fail(
            f"onnx@{device} | CUDAExecutionProvider is not available (no silent CPU fallback). "
            f"Note: expected onnxruntime-gpu with CUDA, got providers {list(available)}"
        )
    return [("CUDAExecutionProvider", {"device_id": device.index or 0})]


class OnnxSessionFromPath:
    """Lazy loader of an ``onnxruntime.InferenceSession`` (graph optimisations on).

    Args:
        path (str): ONNX file.
        device (DeviceSpec | None): Device. Defaults to CPU.
        intra_op_threads (int | None): Thread count. Defaults to ONNX Runtime's choice.
    """

    def __init__(self, path: str, device: DeviceSpec | None = None, intra_op_threads: int | None = None) -> None:
        self.path = path
        self.device = DeviceSpec("cpu") if device is None else device
        self.intra_op_threads = intra_op_threads

    def __call__(self) -> Any:
        ort = import_onnxruntime()
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        if self.intra_op_threads is not None:
            options.intra_op_num_threads = self.intra_op_threads
        providers = providers_for(self.device, ort.get_available_providers())
        try:
            session = ort.InferenceSession(self.path, sess_options=options, providers=providers)
        except Exception as err:  # noqa: BLE001 - ORT raises its own exception types
            fail(
                f"onnx | cannot load {self.path}. Note: expected a valid ONNX model, got {type(err).__name__}: {err}",
                cause=err,
            )
        if self.device.is_cuda and "CUDAExecutionProvider" not in session.get_providers():
            fail(
                f"onnx@{self.device} | session fell back to {session.get_providers()}. Note: expected CUDAExecutionProvider"
            )
        _LOG.info("onnxruntime session %s on %s (providers %s)", self.path, self.device, session.get_providers())
        return session


class OnnxRuntimeRunner(BaseRunner):
    """Runs an ONNX Runtime session on named numpy inputs.

    Args:
        session_loader (Callable[[], Any]): A loader such as :class:`OnnxSessionFromPath`, or a session.
        device (DeviceSpec | None): Device of the session. Defaults to CPU.
    """

    def __init__(self, session_loader: Callable[[], Any] | Any, device: DeviceSpec | None = None) -> None:
        super().__init__("onnx")
        self._loader = session_loader
        self.device = DeviceSpec("cpu") if device is None else device
        self.session = None
        self.output_names: list[str] = []

    def activate_impl(self) -> None:
        self.session = self._loader() if callable(self._loader) else self._loader
        self.output_names = [o.name for o in self.session.get_outputs()]

    def infer_impl(self, feed: Mapping[str, Any]) -> dict[str, Any]:
        import numpy as np

        expected_names = [i.name for i in self.session.get_inputs()]
        arrays = {}
        for name in expected_names:
            if name not in feed:
                fail(f"onnx | missing input {name!r}. Note: expected {expected_names}, got {list(feed)}")
            value = feed[name]
            if hasattr(value, "detach"):
                value = value.detach().cpu().numpy()
            arrays[name] = np.ascontiguousarray(value)
        outputs = self.session.run(self.output_names, arrays)
        return dict(zip(self.output_names, outputs, strict=True))

    def deactivate_impl(self) -> None:
        self.session = None
