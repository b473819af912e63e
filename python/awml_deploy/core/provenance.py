"""Provenance: git sha of the source tree and versions of the tools in use (imported lazily, never required)."""

from __future__ import annotations

import functools
import importlib
import pathlib
import platform
import subprocess
import sys

TOOLS = (
    "numpy",
    "torch",
    "onnx",
    "onnxruntime",
    "onnxscript",
    "onnxsim",
    "onnxslim",
    "mmengine",
    "mmdet3d",
    "tensorrt",
)


@functools.lru_cache(maxsize=1)
def git_sha() -> str:
    """The HEAD commit of the repository holding this package, or "unknown"."""
    here = pathlib.Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and len(sha) == 40 else "unknown"


def tool_version(name: str, import_missing: bool | None = None) -> str | None:
    """Version of an installed package, without importing it unless already imported or asked to.

    Args:
        name (str): Module name.
        import_missing (bool | None): Import it when not yet imported. Defaults to False (metadata only).

    Returns:
        str | None: The version, or None when not installed.
    """
    import_missing = False if import_missing is None else import_missing
    module = sys.modules.get(name)
    if module is None and import_missing:
        try:
            module = importlib.import_module(name)
        except ImportError:
            return None
    if module is not None:
        return str(getattr(module, "__version__", "unknown"))
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def environment() -> dict:
    """Python, platform, package version, git sha and tool versions (None = not installed)."""
    from awml_deploy import __version__

    return {
        "awml_deploy": __version__,
        "git_sha": git_sha(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "tools": {name: tool_version(name) for name in TOOLS},
    }
