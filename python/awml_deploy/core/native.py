"""Probe of the optional C++ extension `awml_deploy._native` and of its TensorRT support."""

from __future__ import annotations

import dataclasses
import functools
import pathlib

from awml_deploy.core.errors import EXIT_USAGE, fail

TENSORRT_NOT_INSTALLED = "TensorRT not installed"
PLUGIN_LIBRARY = "libawml_plugins.so"


@dataclasses.dataclass(frozen=True)
class TensorRTAvailability:
    """Whether the native TensorRT builder/runner can be used.

    Attributes:
        available: True when `_native` exposes TensorRT.
        reason: Why not (e.g. "TensorRT not installed"), "" when available.
        version: TensorRT version string when available.
    """

    available: bool
    reason: str = ""
    version: str | None = None


@functools.lru_cache(maxsize=1)
def tensorrt_availability() -> TensorRTAvailability:
    """Checks `awml_deploy._native` for TensorRT support (cached).

    The extension is expected to expose ``TENSORRT_AVAILABLE`` (bool) and, when true, ``tensorrt_version()``;
    an extension without the attribute, or no extension at all, means TensorRT is not usable.

    Returns:
        TensorRTAvailability: The probe result.
    """
    try:
        from awml_deploy import _native
    except ImportError:
        return TensorRTAvailability(False, TENSORRT_NOT_INSTALLED)
    if not getattr(_native, "TENSORRT_AVAILABLE", False):
        return TensorRTAvailability(False, TENSORRT_NOT_INSTALLED)
    version_fn = getattr(_native, "tensorrt_version", None)
    return TensorRTAvailability(True, "", str(version_fn()) if callable(version_fn) else None)


def require_tensorrt(subject: str) -> None:
    """Fails (exit 2) when TensorRT is unavailable; for stages that asked for it explicitly.

    Args:
        subject (str): What asked, e.g. "export.mode=trt".
    """
    status = tensorrt_availability()
    if not status.available:
        fail(
            f"{subject} | tensorrt is unavailable: {status.reason}. Note: expected a build of awml_deploy._native "
            "with TensorRT (TENSORRT_ROOT set), got none; use export.mode onnx",
            exit_code=EXIT_USAGE,
        )


def native_module():
    """`awml_deploy._native` with TensorRT, or a usage error."""
    require_tensorrt("tensorrt")
    from awml_deploy import _native

    return _native


def plugin_library(subject: str, native_dir: str | pathlib.Path | None = None) -> str:
    """The AwmlPillarScatter plugin library, resolved as the extension is: ``libawml_plugins.so`` next to
    ``awml_deploy/_native`` (Bazel puts it there where TensorRT is present: //python/awml_deploy:libawml_plugins.so;
    out of Bazel, copy it beside ``_native.so``). A usage error (exit 2) when it is missing.

    Args:
        subject (str): What needs it (named in the error), e.g. "project.single_graph".
        native_dir (str | pathlib.Path | None): Where to look. Defaults to the folder of ``awml_deploy._native``.

    Returns:
        str: Absolute path of the library.
    """
    if native_dir is None:
        from awml_deploy import _native

        native_dir = pathlib.Path(_native.__file__).parent
    path = (pathlib.Path(native_dir) / PLUGIN_LIBRARY).resolve()
    if not path.is_file():
        fail(
            f"{subject} | the TensorRT plugin library is missing. Note: expected {path} (build "
            "//python/awml_deploy:libawml_plugins.so), got no such file",
            exit_code=EXIT_USAGE,
        )
    return str(path)
