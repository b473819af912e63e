"""Comparator: nested structures, tolerances, NaN/Inf, shape/dtype/key mismatches, results as data."""

import json

import numpy as np
import pytest
import torch

from awml_deploy.core.errors import DeployError
from awml_deploy.core.fsio import json_safe
from awml_deploy.verification import Tolerances, compare_tree, make_comparator


def test_identical_nested_structure_passes_with_one_node_per_leaf():
    ref = {"boxes": [np.ones((2, 3), np.float32), (np.zeros(4), 3.0)], "scores": torch.arange(5, dtype=torch.float32)}
    test = {"boxes": [np.ones((2, 3), np.float32), (np.zeros(4), 3.0)], "scores": np.arange(5, dtype=np.float32)}
    result = make_comparator()(ref, test)
    assert result.passed and bool(result)
    assert list(result) == ["boxes[0]", "boxes[1][0]", "boxes[1][1]", "scores"]
    node = result["boxes[0]"]
    assert node.max_abs == 0.0 and node.cosine == 1.0 and node.ref_shape == (2, 3)


def test_statistics_values():
    ref = np.array([1.0, -2.0, 4.0])
    test = np.array([1.5, -2.0, 3.0])
    node = compare_tree(ref, test, Tolerances(atol=10.0, rtol=0.0))["<root>"]
    assert node.passed
    assert node.max_abs == pytest.approx(1.0) and node.mean_abs == pytest.approx(0.5)
    assert node.max_rel == pytest.approx(0.5)
    expected_cos = float(ref @ test / np.linalg.norm(ref) / np.linalg.norm(test))
    assert node.cosine == pytest.approx(expected_cos)


def test_tolerance_is_atol_plus_rtol_times_ref_elementwise():
    ref = np.array([100.0, 0.0])
    ok = np.array([100.9, 0.05])  # |d| = 0.9 <= 0.1 + 0.01*100 ; 0.05 <= 0.1
    bad = np.array([101.2, 0.05])  # 1.2 > 1.1
    tol = Tolerances(atol=0.1, rtol=0.01)
    assert compare_tree(ref, ok, tol).passed
    result = compare_tree(ref, bad, tol)
    assert not result.passed and result["<root>"].num_violations == 1
    assert "1/2 elements exceed" in result["<root>"].reason


def test_per_output_tolerances_with_default_key():
    ref = {"heatmap": np.zeros(3), "reg": np.zeros(3)}
    test = {"heatmap": np.full(3, 0.3), "reg": np.full(3, 0.3)}
    tol = Tolerances(atol={"": 1e-3, "heatmap": 0.5}, rtol=0.0)
    result = compare_tree(ref, test, tol)
    assert result["heatmap"].passed and not result["reg"].passed
    assert result["heatmap"].atol == 0.5 and result["reg"].atol == 1e-3
    with pytest.raises(DeployError, match="no tolerance for output"):
        compare_tree(ref, test, Tolerances(atol={"heatmap": 1.0}, rtol=0.0))


def test_nan_and_inf_fail_and_are_counted():
    ref = np.array([1.0, np.nan, 2.0, np.inf])
    test = np.array([1.0, np.nan, 2.0, np.inf])
    node = compare_tree(ref, test, Tolerances())["<root>"]
    assert not node.passed and node.ref_nan == 1 and node.test_nan == 1 and node.ref_inf == 1
    assert "non-finite" in node.reason
    clean = compare_tree(np.array([1.0]), np.array([np.nan]), Tolerances())["<root>"]
    assert not clean.passed and clean.test_nan == 1 and clean.ref_nan == 0


@pytest.mark.parametrize(
    "ref,test,reason",
    [
        (np.zeros((2, 3)), np.zeros((3, 2)), "shape mismatch"),
        (np.zeros(3, np.float32), np.zeros(3, np.float16), "dtype mismatch"),
        (torch.zeros(3, dtype=torch.int64), np.zeros(3, np.int32), "dtype mismatch"),
        ({"a": 1.0, "b": 2.0}, {"a": 1.0, "c": 2.0}, "key mismatch"),
        ([1.0, 2.0], [1.0], "length mismatch"),
        ({"a": 1.0}, [1.0], "type mismatch"),
        (np.zeros(1), None, "one side is None"),
        ("text", "text", "unsupported types"),
    ],
)
def test_mismatches_fail_with_reason(ref, test, reason):
    result = compare_tree(ref, test, Tolerances())
    assert not result.passed
    assert any(reason in node.reason for node in result.failures)


def test_key_mismatch_still_compares_common_keys():
    result = compare_tree({"a": np.ones(2), "b": np.ones(2)}, {"a": np.ones(2) * 5, "c": 1.0}, Tolerances())
    assert "a" in result and not result["a"].passed and not result["<root>"].passed


def test_integer_bool_and_empty_arrays():
    assert compare_tree(np.array([1, 2]), np.array([1, 2]), Tolerances(0.0, 0.0)).passed
    assert not compare_tree(np.array([True, False]), np.array([True, True]), Tolerances(0.0, 0.0)).passed
    assert compare_tree(np.zeros((0, 7)), np.zeros((0, 7)), Tolerances()).passed
    assert compare_tree([], [], Tolerances()) == {}  # nothing compared → falsy
    assert not compare_tree([], [], Tolerances())


def test_results_serialise_and_log_one_line():
    result = compare_tree({"x": np.array([1.0, np.nan])}, {"x": np.array([1.0, 2.0])}, Tolerances())
    text = json.dumps(json_safe(result.to_json_dict()))
    assert '"x"' in text and "NaN" not in text
    line = result["x"].log_line()
    assert "\n" not in line and line.startswith("x: FAIL") and "nan=1/0" in line


def test_torch_tensors_on_both_sides():
    a = torch.randn(4, 5)
    assert compare_tree([a], [a.clone()], Tolerances(0.0, 0.0)).passed
    b = a.clone()
    b[0, 0] += 1.0
    assert not compare_tree([a], [b], Tolerances(1e-3, 0.0)).passed
