"""The sample-source contract shared by export, verification and evaluation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class SampleSource(Protocol):
    """Indexable samples. A sample is a mapping with ``inputs`` (name → array) for the generic pipelines, or any
    project-defined keys for project pipelines, plus optional ``ground_truth`` (evaluation) and ``meta``."""

    def __len__(self) -> int:
        """Number of samples."""

    def get_sample(self, index: int) -> Mapping[str, Any]:
        """Sample ``index`` (0 <= index < len)."""
