"""`as_numpy`: the one conversion of backend outputs (torch tensors on any device, arrays, scalars) to NumPy."""

from __future__ import annotations

from typing import Any


def is_torch_tensor(value: Any) -> bool:
    """Whether ``value`` is a torch tensor (checked without importing torch)."""
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def as_numpy(value: Any):
    """A torch tensor (any device, detached) or array-like as a NumPy array.

    The dtype is kept, except bfloat16, which NumPy lacks: it becomes float32.

    Args:
        value (Any): Tensor, array, scalar or nested sequence.

    Returns:
        np.ndarray: The values on the host.
    """
    import numpy as np

    if is_torch_tensor(value):
        value = value.detach()
        if str(value.dtype) == "torch.bfloat16":
            value = value.float()
        return value.cpu().numpy()
    return np.asarray(value)
