"""TensorRT backend: the runner delegates to the C++ `TrtRunner` exposed by `awml_deploy._native`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.errors import EXIT_GATE_FAILED, fail
from awml_deploy.core.native import native_module
from awml_deploy.pipelines.runner import BaseRunner


class TensorRTRunner(BaseRunner):
    """Runs a serialized engine through the native runtime (host path: numpy in, numpy out, synchronised).

    Args:
        engine_path (str): Engine file.
        io_spec (dict): The component's I/O contract (see ``config.components.component_io_spec``).
        device (DeviceSpec): CUDA device.
    """

    def __init__(self, engine_path: str, io_spec: dict, device: DeviceSpec) -> None:
        super().__init__("tensorrt")
        self.engine_path = engine_path
        self.io_spec = io_spec
        self.device = device
        self.engine = None

    def activate_impl(self) -> None:
        native = native_module()
        try:
            self.engine = native.TrtRunner(self.engine_path, self.io_spec)
        except RuntimeError as err:
            fail(f"tensorrt | cannot load {self.engine_path}. Note: {err}", exit_code=EXIT_GATE_FAILED, cause=err)

    def infer_impl(self, feed: Mapping[str, Any]) -> dict[str, Any]:
        import numpy as np

        arrays = {
            name: np.ascontiguousarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v)
            for name, v in feed.items()
        }
        return dict(self.engine.infer(arrays))

    def deactivate_impl(self) -> None:
        self.engine = None
