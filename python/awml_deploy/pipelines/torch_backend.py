"""PyTorch backend: a lazy model loader and a runner (torch imported lazily)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.errors import fail
from awml_deploy.pipelines.runner import BaseRunner


def import_torch():
    """Imports torch or fails with a one-line install hint."""
    try:
        import torch
    except ImportError as err:
        fail(
            "pytorch | torch is not installed. Note: expected `pip install awml-deploy[export]`, got ImportError",
            cause=err,
        )
    return torch


def torch_synchronize(device: DeviceSpec) -> None:
    """Synchronises ``device`` when it is CUDA (no-op on CPU)."""
    if device.is_cuda:
        import_torch().cuda.synchronize(device.index)


class TorchModelFromCheckpoint:
    """Lazy loader: calls ``build(checkpoint_path, device)`` once and returns the model in eval mode.

    Args:
        build (Callable[[str, str], Any]): Project function building the module from a checkpoint on a device.
        checkpoint_path (str): Checkpoint path.
        device (DeviceSpec | None): Device. Defaults to CPU.
    """

    def __init__(
        self, build: Callable[[str, str], Any], checkpoint_path: str, device: DeviceSpec | None = None
    ) -> None:
        self.build = build
        self.checkpoint_path = checkpoint_path
        self.device = DeviceSpec("cpu") if device is None else device
        self._model = None

    def __call__(self) -> Any:
        if self._model is None:
            model = self.build(self.checkpoint_path, str(self.device))
            self._model = model.eval() if hasattr(model, "eval") else model
        return self._model


class PyTorchRunner(BaseRunner):
    """Runs a torch module on named inputs (positional in ``input_names`` order), outputs named.

    Args:
        model (Any): A module or a loader returning one.
        input_names (Sequence[str]): Names of the positional inputs.
        output_names (Sequence[str]): Names given to the returned tensors.
        device (DeviceSpec | None): Device. Defaults to CPU.
    """

    def __init__(
        self, model: Any, input_names: Sequence[str], output_names: Sequence[str], device: DeviceSpec | None = None
    ) -> None:
        super().__init__("pytorch")
        self._model_or_loader = model
        self.input_names = tuple(input_names)
        self.output_names = tuple(output_names)
        self.device = DeviceSpec("cpu") if device is None else device
        self.model = None

    def activate_impl(self) -> None:
        torch = import_torch()
        model = self._model_or_loader
        if not isinstance(model, torch.nn.Module) and callable(model):
            model = model()
        self.model = model.to(str(self.device)).eval()

    def infer_impl(self, feed: Mapping[str, Any]) -> dict[str, Any]:
        torch = import_torch()
        args = []
        for name in self.input_names:
            if name not in feed:
                fail(f"pytorch | missing input {name!r}. Note: expected {list(self.input_names)}, got {list(feed)}")
            value = feed[name]
            value = value if isinstance(value, torch.Tensor) else torch.from_numpy(value)
            args.append(value.to(str(self.device)))
        with torch.inference_mode():
            outputs = self.model(*args)
        return name_outputs(outputs, self.output_names, "pytorch")

    def deactivate_impl(self) -> None:
        self.model = None

    def synchronize(self) -> None:
        torch_synchronize(self.device)


def name_outputs(outputs: Any, names: Sequence[str], backend: str) -> dict[str, Any]:
    """Maps a model's return value (tensor, tuple/list or dict) onto output names."""
    if isinstance(outputs, Mapping):
        return dict(outputs)
    if not isinstance(outputs, (list, tuple)):
        outputs = (outputs,)
    if len(outputs) != len(names):
        fail(
            f"{backend} | model returned {len(outputs)} outputs. Note: expected {len(names)} ({list(names)}), got {len(outputs)}"
        )
    return dict(zip(names, outputs, strict=True))
