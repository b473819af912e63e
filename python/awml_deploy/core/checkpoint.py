"""Checkpoint loading shared by every project: weights-only by default, one clear line when a file is unusable.

torch is imported lazily. A checkpoint is a plain ``state_dict`` (parameter name → tensor) or an mmengine
checkpoint ``{"state_dict": ..., "meta": ..., "message_hub": ..., "optimizer": ...}``. Both load through torch's
weights-only unpickler, which for mmengine training checkpoints admits exactly the types mmengine writes
(:data:`MMENGINE_GLOBALS`: numpy arrays, dtypes and scalars, mmengine's ``HistoryBuffer`` and the method
references its statistics table holds), so no code from the file runs. Only a checkpoint holding other pickled
objects needs the caller's explicit trust (``trusted=True``), which unpickles it fully.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

from awml_deploy.core.errors import expected, fail


def _first_line(err: BaseException, width: int = 160) -> str:
    text = str(err)
    if "WeightsUnpickler error:" in text:  # torch wraps the real reason in a long advice text
        text = text.split("WeightsUnpickler error:", 1)[1].strip().split("\n\n", 1)[0]
    return f"{type(err).__name__}: {' '.join(text.split())[:width]}"


MMENGINE_GLOBALS = (
    "numpy.ndarray",
    "numpy.dtype",
    "numpy._core.multiarray._reconstruct",
    "numpy._core.multiarray.scalar",
    "numpy.core.multiarray._reconstruct",
    "numpy.core.multiarray.scalar",
    "mmengine.logging.history_buffer.HistoryBuffer",
    "builtins.getattr",
)
"""The pickled globals of an mmengine training checkpoint that the weights-only load admits (numpy >= 1.x and 2.x
module paths). ``builtins.getattr`` is admitted only as :func:`_history_buffer_method`: a ``HistoryBuffer``
statistics method looked up by name, nothing else."""


def _history_buffer_method(owner: object, name: object) -> object:
    """The restricted stand-in for ``getattr`` in mmengine checkpoints: only ``HistoryBuffer.<statistics method>``."""
    from mmengine.logging.history_buffer import HistoryBuffer

    methods = {"min", "max", "mean", "current"} | set(HistoryBuffer._statistics_methods)  # noqa: SLF001
    if owner is not HistoryBuffer or not isinstance(name, str) or name not in methods:
        raise ValueError(f"getattr({owner!r}, {name!r}) is not a HistoryBuffer statistics method")
    return getattr(HistoryBuffer, name)


def _safe_globals() -> list:
    """``torch.serialization.safe_globals`` entries for :data:`MMENGINE_GLOBALS` that exist in this environment."""
    import importlib

    entries: list = []
    for path in MMENGINE_GLOBALS:
        if path == "builtins.getattr":
            entries.append((_history_buffer_method, path))
            continue
        if path == "numpy.dtype":  # numpy 2 builds dtypes as instances of numpy.dtypes.<Kind>DType
            try:
                import numpy.dtypes

                entries += [cls for cls in vars(numpy.dtypes).values() if isinstance(cls, type)]
            except ImportError:
                pass
        module_name, _, attr = path.rpartition(".")
        try:
            entries.append((getattr(importlib.import_module(module_name), attr), path))
        except (ImportError, AttributeError):  # numpy 1 vs 2 paths, mmengine not installed
            continue
    return entries


def _unknown_globals(path: pathlib.Path) -> list[str]:
    """Pickled globals in ``path`` outside torch's own weights-only set and :data:`MMENGINE_GLOBALS`."""
    import torch

    try:
        found = torch.serialization.get_unsafe_globals_in_checkpoint(str(path))
    except Exception:  # noqa: BLE001 - not a zip checkpoint: the load itself reports it
        return []
    return sorted(set(found) - set(MMENGINE_GLOBALS))


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
        with torch.serialization.safe_globals(_safe_globals()):
            data = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - torch raises UnpicklingError, RuntimeError, EOFError...
        if not trusted:
            unknown = _unknown_globals(path)
            what = (
                f"it pickles objects outside the weights-only allowlist: {unknown[:4]}"
                if unknown
                else f"corrupt or truncated; {_first_line(err)}"
            )
            fail(
                f"checkpoint {path} | cannot be loaded weights-only ({what}). Note: expected a torch.save'd state "
                f"dict or an mmengine training checkpoint; only for a file you trust, set {trust_option}",
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
