"""`DeviceSpec`: a parsed device string ("cpu", "cuda", "cuda:1")."""

from __future__ import annotations

import dataclasses
import re

from awml_deploy.core.errors import expected

_DEVICE_RE = re.compile(r"^(cpu|cuda)(?::(\d+))?$")


@dataclasses.dataclass(frozen=True)
class DeviceSpec:
    """A compute device.

    Attributes:
        kind: "cpu" or "cuda".
        index: CUDA device index; None for CPU.
    """

    kind: str
    index: int | None = None

    @classmethod
    def parse(cls, value: object, key: str | None = None) -> DeviceSpec:
        """Parses "cpu", "cuda" (= cuda:0) or "cuda:<n>".

        Args:
            value (object): A device string or a DeviceSpec.
            key (str | None): Key path for the error message. Defaults to "device".

        Returns:
            DeviceSpec: The device.
        """
        key = "device" if key is None else key
        if isinstance(value, DeviceSpec):
            return value
        match = _DEVICE_RE.match(value.strip().lower()) if isinstance(value, str) else None
        if match is None:
            expected(key, "invalid device", "'cpu', 'cuda' or 'cuda:<index>'", value)
        kind, index = match.group(1), match.group(2)
        if kind == "cpu":
            if index is not None:
                expected(key, "a CPU device takes no index", "'cpu'", value)
            return cls("cpu", None)
        return cls("cuda", int(index) if index is not None else 0)

    @property
    def is_cuda(self) -> bool:
        """bool: Whether this is a CUDA device."""
        return self.kind == "cuda"

    def __str__(self) -> str:
        return self.kind if self.index is None else f"{self.kind}:{self.index}"


CPU = DeviceSpec("cpu")
