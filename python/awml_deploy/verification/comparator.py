"""Recursive output comparison. Comparisons are data: one :class:`NodeResult` per leaf, JSON-serialisable."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

from awml_deploy.core.arrays import as_numpy, is_torch_tensor
from awml_deploy.verification.tolerances import Tolerances


@dataclasses.dataclass(frozen=True)
class NodeResult:
    """Comparison of one leaf (array, tensor or scalar) or one structural mismatch.

    Attributes:
        path: Output path, e.g. "heatmap" or "dets[1].scores".
        passed: Whether the node passed.
        reason: Why it failed ("" when passed).
        ref_shape / test_shape: Shapes (None for structural nodes).
        ref_dtype / test_dtype: Dtypes as numpy names.
        max_abs / mean_abs / max_rel: Error statistics over finite elements.
        cosine: Cosine similarity of the flattened values (1.0 for two zero vectors).
        ref_nan / test_nan / ref_inf / test_inf: Non-finite counts.
        num_violations: Elements outside atol + rtol * |ref|.
        atol / rtol: Tolerances used.
    """

    path: str
    passed: bool
    reason: str = ""
    ref_shape: tuple[int, ...] | None = None
    test_shape: tuple[int, ...] | None = None
    ref_dtype: str | None = None
    test_dtype: str | None = None
    max_abs: float = math.nan
    mean_abs: float = math.nan
    max_rel: float = math.nan
    cosine: float = math.nan
    ref_nan: int = 0
    test_nan: int = 0
    ref_inf: int = 0
    test_inf: int = 0
    num_violations: int = 0
    atol: float = math.nan
    rtol: float = math.nan

    def __bool__(self) -> bool:
        return self.passed

    def log_line(self) -> str:
        """One log line: path, verdict, shape and statistics."""
        verdict = "PASS" if self.passed else "FAIL"
        if self.ref_shape is None:
            return f"{self.path}: {verdict} {self.reason}"
        text = (
            f"{self.path}: {verdict} shape={list(self.ref_shape)} dtype={self.ref_dtype} max_abs={self.max_abs:.3g} "
            f"mean_abs={self.mean_abs:.3g} max_rel={self.max_rel:.3g} cos={self.cosine:.6f} "
            f"nan={self.ref_nan}/{self.test_nan} inf={self.ref_inf}/{self.test_inf} atol={self.atol:g} rtol={self.rtol:g}"
        )
        return text if self.passed else f"{text} | {self.reason}"

    def to_json_dict(self) -> dict:
        """JSON form (NaN written as null by the report writer)."""
        return dataclasses.asdict(self)


class CompareResult(dict):
    """{path: NodeResult}; truthy when every node passed."""

    def __bool__(self) -> bool:
        return all(self.values()) and len(self) > 0

    @property
    def passed(self) -> bool:
        """bool: Every node passed (and there was at least one)."""
        return bool(self)

    @property
    def failures(self) -> list[NodeResult]:
        """list[NodeResult]: Failed nodes."""
        return [n for n in self.values() if not n.passed]

    def to_json_dict(self) -> dict:
        """JSON form."""
        return {path: node.to_json_dict() for path, node in self.items()}


def _is_leaf(value: Any) -> bool:
    import numpy as np

    return isinstance(value, (np.ndarray, np.generic, int, float, bool, complex)) or is_torch_tensor(value)


def _join(path: str, child: str, is_index: bool) -> str:
    if is_index:
        return f"{path}[{child}]"
    return f"{path}.{child}" if path else child


def compare_leaf(ref: Any, test: Any, path: str, tolerances: Tolerances) -> NodeResult:
    """Compares one array/tensor/scalar pair.

    Args:
        ref (Any): Reference value.
        test (Any): Tested value.
        path (str): Output path.
        tolerances (Tolerances): Tolerances.

    Returns:
        NodeResult: The statistics and the verdict.
    """
    import numpy as np

    tol = tolerances.for_output(path)
    a, b = as_numpy(test), as_numpy(ref)
    common = dict(
        path=path,
        ref_shape=tuple(b.shape),
        test_shape=tuple(a.shape),
        ref_dtype=str(b.dtype),
        test_dtype=str(a.dtype),
        atol=tol.atol,
        rtol=tol.rtol,
    )
    if a.shape != b.shape:
        return NodeResult(passed=False, reason=f"shape mismatch: ref {list(b.shape)} vs test {list(a.shape)}", **common)
    if a.dtype != b.dtype:
        return NodeResult(passed=False, reason=f"dtype mismatch: ref {b.dtype} vs test {a.dtype}", **common)
    if a.dtype.kind in "biu":
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
    elif a.dtype.kind in "fc":
        a64, b64 = (
            a.astype(np.complex128 if a.dtype.kind == "c" else np.float64),
            b.astype(np.complex128 if b.dtype.kind == "c" else np.float64),
        )
    else:
        equal = bool(np.array_equal(a, b))
        return NodeResult(
            passed=equal, reason="" if equal else "values differ", num_violations=int(not equal), **common
        )
    counts = dict(
        ref_nan=int(np.isnan(b64).sum()),
        test_nan=int(np.isnan(a64).sum()),
        ref_inf=int(np.isinf(b64).sum()),
        test_inf=int(np.isinf(a64).sum()),
    )
    finite = np.isfinite(a64) & np.isfinite(b64)
    diff = np.abs(a64[finite] - b64[finite])
    ref_abs = np.abs(b64)[finite]
    if diff.size:
        max_abs, mean_abs = float(diff.max()), float(diff.mean())
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(ref_abs > 0, diff / ref_abs, np.where(diff > 0, np.inf, 0.0))
        max_rel = float(rel.max())
        violations = int((diff > tol.atol + tol.rtol * ref_abs).sum())
    else:
        max_abs = mean_abs = max_rel = 0.0
        violations = 0
    cosine = _cosine(a64[finite], b64[finite])
    non_finite = sum(counts.values())
    reasons = []
    if non_finite:
        reasons.append(
            f"non-finite values (nan {counts['ref_nan']}/{counts['test_nan']}, inf {counts['ref_inf']}/{counts['test_inf']})"
        )
    if violations:
        reasons.append(f"{violations}/{a.size} elements exceed atol+rtol*|ref| (max_abs={max_abs:.3g})")
    return NodeResult(
        passed=not reasons,
        reason="; ".join(reasons),
        max_abs=max_abs,
        mean_abs=mean_abs,
        max_rel=max_rel,
        cosine=cosine,
        num_violations=violations,
        **counts,
        **common,
    )


def _cosine(a, b) -> float:
    import numpy as np

    if a.size == 0:
        return 1.0
    a, b = np.abs(a) if a.dtype.kind == "c" else a, np.abs(b) if b.dtype.kind == "c" else b
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 and nb == 0.0:
        return 1.0
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(min(1.0, max(-1.0, np.dot(a.ravel(), b.ravel()) / (na * nb))))


def compare_tree(
    ref: Any, test: Any, tolerances: Tolerances, path: str | None = None, out: CompareResult | None = None
) -> CompareResult:
    """Compares nested dicts/lists/tuples of arrays, tensors and scalars.

    Args:
        ref (Any): Reference structure.
        test (Any): Tested structure.
        tolerances (Tolerances): Tolerances.
        path (str | None): Path of this node. Defaults to the root ("").
        out (CompareResult | None): Accumulator. Defaults to a new one.

    Returns:
        CompareResult: {path: NodeResult}.
    """
    path = "" if path is None else path
    out = CompareResult() if out is None else out
    name = path or "<root>"
    if ref is None or test is None:
        ok = ref is None and test is None
        out[name] = NodeResult(
            name, ok, "" if ok else f"one side is None (ref {type(ref).__name__}, test {type(test).__name__})"
        )
    elif isinstance(ref, Mapping) or isinstance(test, Mapping):
        if not (isinstance(ref, Mapping) and isinstance(test, Mapping)):
            out[name] = NodeResult(
                name, False, f"type mismatch: ref {type(ref).__name__} vs test {type(test).__name__}"
            )
            return out
        missing, extra = [k for k in ref if k not in test], [k for k in test if k not in ref]
        if missing or extra:
            out[name] = NodeResult(name, False, f"key mismatch: missing in test {missing}, extra in test {extra}")
        for key in ref:
            if key in test:
                compare_tree(ref[key], test[key], tolerances, _join(path, str(key), False), out)
    elif isinstance(ref, (list, tuple)) or isinstance(test, (list, tuple)):
        if not (isinstance(ref, (list, tuple)) and isinstance(test, (list, tuple))):
            out[name] = NodeResult(
                name, False, f"type mismatch: ref {type(ref).__name__} vs test {type(test).__name__}"
            )
            return out
        if len(ref) != len(test):
            out[name] = NodeResult(name, False, f"length mismatch: ref {len(ref)} vs test {len(test)}")
        for i, (r, t) in enumerate(zip(ref, test, strict=False)):
            compare_tree(r, t, tolerances, _join(path, str(i), True), out)
    elif _is_leaf(ref) and _is_leaf(test):
        out[name] = compare_leaf(ref, test, name, tolerances)
    else:
        out[name] = NodeResult(
            name, False, f"unsupported types: ref {type(ref).__name__} vs test {type(test).__name__}"
        )
    return out


def make_comparator(tolerances: Tolerances | None = None) -> Callable[[Any, Any], CompareResult]:
    """Factory of ``(ref, test) -> {output: NodeResult}``.

    Args:
        tolerances (Tolerances | None): Tolerances. Defaults to the fp32 defaults.

    Returns:
        Callable[[Any, Any], CompareResult]: The compare function.
    """
    tolerances = Tolerances() if tolerances is None else tolerances

    def compare(ref: Any, test: Any) -> CompareResult:
        return compare_tree(ref, test, tolerances)

    return compare
