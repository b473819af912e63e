"""Tolerance selection: per-output overrides over precision-aware defaults."""

from __future__ import annotations

from collections.abc import Mapping

from awml_deploy.config.stages import DEFAULT_TOLERANCES, Tolerance
from awml_deploy.core.errors import expected

ToleranceSpec = float | Mapping[str, float]


def _lookup(spec: ToleranceSpec, path: str, name: str) -> float:
    if isinstance(spec, Mapping):
        for key in (path, _top_name(path), ""):
            if key in spec:
                return float(spec[key])
        expected(
            name, f"no tolerance for output {path!r} and no '' default", "a scalar or a dict with a '' key", dict(spec)
        )
    return float(spec)


def _top_name(path: str) -> str:
    for sep in (".", "["):
        path = path.split(sep, 1)[0]
    return path


class Tolerances:
    """Per-output (atol, rtol): a scalar or a dict keyed by output path or top-level name, with "" as default.

    Args:
        atol (float | Mapping[str, float] | None): Absolute tolerances. Defaults to the fp32 default.
        rtol (float | Mapping[str, float] | None): Relative tolerances. Defaults to the fp32 default.
    """

    def __init__(self, atol: ToleranceSpec | None = None, rtol: ToleranceSpec | None = None) -> None:
        self.atol = DEFAULT_TOLERANCES["fp32"][0] if atol is None else atol
        self.rtol = DEFAULT_TOLERANCES["fp32"][1] if rtol is None else rtol

    def for_output(self, path: str) -> Tolerance:
        """Tolerance for one output path ("heatmap", "boxes[0]", "dets.scores").

        Args:
            path (str): Output path.

        Returns:
            Tolerance: The resolved tolerance.
        """
        return Tolerance(_lookup(self.atol, path, "atol"), _lookup(self.rtol, path, "rtol"))

    @classmethod
    def from_config(cls, defaults: Tolerance, per_output: Mapping[str, Tolerance] | None = None) -> Tolerances:
        """Builds tolerances from a precision default and per-output overrides.

        Args:
            defaults (Tolerance): Default for every output.
            per_output (Mapping[str, Tolerance] | None): Overrides. Defaults to none.

        Returns:
            Tolerances: The tolerances.
        """
        per_output = per_output or {}
        atol = {"": defaults.atol, **{k: t.atol for k, t in per_output.items()}}
        rtol = {"": defaults.rtol, **{k: t.rtol for k, t in per_output.items()}}
        return cls(atol, rtol)

    def to_json_dict(self) -> dict:
        """JSON form."""
        return {
            "atol": self.atol if not isinstance(self.atol, Mapping) else dict(self.atol),
            "rtol": self.rtol if not isinstance(self.rtol, Mapping) else dict(self.rtol),
        }
