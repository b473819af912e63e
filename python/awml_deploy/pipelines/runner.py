"""`BaseRunner`: runners run. Subclasses implement activate_impl / infer_impl / deactivate_impl only."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

from awml_deploy.core.errors import fail


class BaseRunner(abc.ABC):
    """Runs one loaded model; the public methods handle state, subclasses the backend work.

    Args:
        name (str | None): Name for messages. Defaults to the class name.
    """

    def __init__(self, name: str | None = None) -> None:
        self.name = type(self).__name__ if name is None else name
        self.is_active = False

    def activate(self) -> None:
        """Builds/loads what the runner needs (idempotent)."""
        if not self.is_active:
            self.activate_impl()
            self.is_active = True

    def infer(self, feed: Mapping[str, Any]) -> dict[str, Any]:
        """Runs inference on named inputs.

        Args:
            feed (Mapping[str, Any]): Input name → array/tensor.

        Returns:
            dict[str, Any]: Output name → array/tensor.
        """
        if not self.is_active:
            fail(f"{self.name} | infer() before activate(). Note: expected an active runner, got an inactive one")
        return self.infer_impl(feed)

    def deactivate(self) -> None:
        """Releases resources (idempotent)."""
        if self.is_active:
            self.deactivate_impl()
            self.is_active = False

    def __enter__(self) -> BaseRunner:
        self.activate()
        return self

    def __exit__(self, *exc: object) -> None:
        self.deactivate()

    @abc.abstractmethod
    def activate_impl(self) -> None:
        """Backend-specific activation."""

    @abc.abstractmethod
    def infer_impl(self, feed: Mapping[str, Any]) -> dict[str, Any]:
        """Backend-specific inference."""

    def deactivate_impl(self) -> None:  # noqa: B027 - optional hook
        """Backend-specific release. Defaults to nothing."""

    def synchronize(self) -> None:  # noqa: B027 - optional hook
        """Waits for queued device work (used by stage timing). Defaults to nothing (CPU)."""
