"""Checkpoint loading shared by every project: weights-only by default, one clear line when a file is unusable.

torch is imported lazily. A checkpoint is a plain ``state_dict`` (parameter name → tensor) or an mmengine
checkpoint ``{"state_dict": ..., "meta": ...}``. Full pickles (OpenMMLab training checkpoints whose meta holds
numpy scalars) are unpickled only when the caller says the file is trusted.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

from awml_deploy.core.errors import expected, fail


def _first_line(err: BaseException, width: int = 160) -> str:
    return f"{type(err).__name__}: {' '.join(str(err).split())[:width]}"


def read_state_dict(path: str | pathlib.Path, trusted: bool | None = None, trust_option: str | None = None) -> dict:
    """Reads a checkpoint file into a state dict.

    Args:
        path (str | pathlib.Path): The ``.pth`` file.
        trusted (bool | None): Retry with a full unpickle (``weights_only=False``) when the weights-only load
            refuses the file; only for files you trust. Defaults to False.
        trust_option (str | None): The setting that makes a file trusted, named in the error. Defaults to
            "project.trust_checkpoint=True".

    Returns:
        dict: Parameter name → tensor.
    """
    trusted = False if trusted is None else bool(trusted)
    trust_option = "project.trust_checkpoint=True" if trust_option is None else trust_option
    path = pathlib.Path(path)
    if not path.is_file():
        expected("checkpoint_path", "checkpoint not found", "an existing .pth state dict", str(path))
    import torch

    try:
        data = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - torch raises UnpicklingError, RuntimeError, EOFError...
        if not trusted:
            fail(
                f"checkpoint {path} | cannot be loaded with weights_only=True (corrupt, truncated or a full pickle; "
                f"{_first_line(err)}). Note: expected a torch.save'd state dict or mmengine checkpoint; for a full "
                f"pickle you trust, set {trust_option}",
                cause=err,
            )
        try:
            data = torch.load(str(path), map_location="cpu", weights_only=False)
        except Exception as err2:  # noqa: BLE001 - same
            fail(
                f"checkpoint {path} | not a readable PyTorch checkpoint. Note: expected a file written by "
                f"torch.save, got {_first_line(err2)}",
                cause=err2,
            )
    if isinstance(data, Mapping) and isinstance(data.get("state_dict"), Mapping):
        data = data["state_dict"]
    if not isinstance(data, Mapping) or not data or not all(hasattr(v, "shape") for v in data.values()):
        fail(
            f"checkpoint {path} | holds no state_dict. Note: expected a mapping of parameter name to tensor or "
            f"{{'state_dict': ...}}, got {type(data).__name__}"
        )
    return dict(data)


def load_into(model: Any, state: Mapping[str, Any], source: str | pathlib.Path) -> Any:
    """Loads ``state`` into ``model`` strictly.

    Args:
        model (torch.nn.Module): The model built from its config.
        state (Mapping[str, Any]): Its state dict.
        source (str | pathlib.Path): The checkpoint file, for messages.

    Returns:
        torch.nn.Module: ``model``.
    """
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        fail(
            f"checkpoint {source} | state dict does not fit the model. Note: {' '.join(str(err).split())[:200]}",
            cause=err,
        )
    return model
