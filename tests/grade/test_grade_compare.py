"""The comparison rules on packaged values (type, dtype, shape, finite, value within tolerance)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from descentlab.grade.compare import check_output, check_return
from descentlab.grade.inside.capture import package

EXPECTED_COLUMN = np.array([[1.0], [2.0]])
EXPECTED_SCALAR = np.array(0.5)


def relative(expected: np.ndarray, k: float = 1000.0):
    """A stand-in for a case's error bound: ``k u |expected|`` at unit roundoff ``u``."""
    return lambda u: k * u * np.abs(expected)


def outputs_relative(expected: dict[str, np.ndarray], k: float = 1000.0):
    return lambda u: {name: k * u * np.abs(value) for name, value in expected.items()}


@pytest.mark.parametrize(
    ("value", "expected", "code"),
    [
        (np.array([[1.0], [2.0]]), EXPECTED_COLUMN, None),
        (np.array([[1.0], [2.0]], dtype=np.float32), EXPECTED_COLUMN, None),
        (torch.tensor([[1.0], [2.0]], requires_grad=True) * 1, EXPECTED_COLUMN, None),
        (torch.tensor([[1.0], [2.0]], dtype=torch.bfloat16), EXPECTED_COLUMN, "wrong_dtype"),
        (0.5, EXPECTED_SCALAR, None),
        (np.float32(0.5), EXPECTED_SCALAR, None),
        (np.array(0.5), EXPECTED_SCALAR, None),
        (torch.tensor(0.5, dtype=torch.float64), EXPECTED_SCALAR, None),
        (np.array([1.0, 2.0]), EXPECTED_COLUMN, "wrong_shape"),
        (np.array([[0.5]]), EXPECTED_SCALAR, "wrong_shape"),
        (np.array([0.5]), EXPECTED_SCALAR, "wrong_shape"),
        (np.array([[1], [2]]), EXPECTED_COLUMN, "wrong_dtype"),
        (1, EXPECTED_SCALAR, "wrong_dtype"),
        (np.array([[1.0], [2.0]], dtype=complex), EXPECTED_COLUMN, "wrong_dtype"),
        (np.array([[1.0], [2.0]], dtype=object), EXPECTED_COLUMN, "wrong_dtype"),
        ([[1.0], [2.0]], EXPECTED_COLUMN, "wrong_type"),
        ("0.5", EXPECTED_SCALAR, "wrong_type"),
        (True, EXPECTED_SCALAR, "wrong_type"),
        (np.array([[1.0], [np.nan]]), EXPECTED_COLUMN, "not_finite"),
        (float("inf"), EXPECTED_SCALAR, "not_finite"),
        (np.array([[1.0], [2.001]]), EXPECTED_COLUMN, "wrong_value"),
        (np.array([[1.0], [2.0 + 1e-6]]), EXPECTED_COLUMN, None),
    ],
)
def test_rules(value: object, expected: np.ndarray, code: str | None) -> None:
    checked = check_output("v", package(value, top=False), expected, tolerance=relative(expected))
    assert checked.ok is (code is None)
    assert (checked.issue.code if checked.issue else None) == code


def test_shape_feedback_suggests_a_reshape_when_the_count_is_right() -> None:
    checked = check_output(
        "new_weight",
        package(np.array([1.0, 2.0]), top=False),
        EXPECTED_COLUMN,
        tolerance=relative(EXPECTED_COLUMN),
    )
    assert checked.issue is not None
    assert "must have shape (2, 1)" in checked.issue.message
    assert "got shape (2,)" in checked.issue.message and "reshape" in checked.issue.message
    assert checked.value is not None and checked.value.shape == (2, 1)


@pytest.mark.parametrize(
    ("result", "code"),
    [
        (None, "returned_none"),
        (np.array([[1.0], [2.0]]), "wrong_count"),
        ((np.array([[1.0], [2.0]]),), "wrong_count"),
        ((np.array([[1.0], [2.0]]), 0.5, 3.0), "wrong_count"),
    ],
)
def test_the_number_of_returned_values(result: object, code: str) -> None:
    expected = {"new_weight": EXPECTED_COLUMN, "mse": EXPECTED_SCALAR}
    checks, issue = check_return(
        package(result), ("new_weight", "mse"), expected, {}, tolerance=outputs_relative(expected)
    )
    assert checks == [] and issue is not None and issue.code == code


def test_a_list_of_two_is_accepted_like_a_tuple() -> None:
    expected = {"new_weight": EXPECTED_COLUMN, "mse": EXPECTED_SCALAR}
    checks, issue = check_return(
        package([np.array([[1.0], [2.0]]), 0.5]),
        ("new_weight", "mse"),
        expected,
        {},
        tolerance=outputs_relative(expected),
    )
    assert issue is None and all(c.ok for c in checks)


def _check(value: object, expected: np.ndarray, tolerance=None):
    return check_output(
        "mse", package(value, top=False), expected, tolerance=tolerance or relative(expected)
    )


@pytest.mark.parametrize(
    ("value", "u"),
    [
        (np.float64(0.5), 2.0**-53),
        (0.5, 2.0**-53),
        (np.float32(0.5), 2.0**-24),
        (torch.tensor(0.5), 2.0**-24),
        (torch.tensor(0.5, dtype=torch.float64), 2.0**-53),
    ],
)
def test_the_tolerance_is_asked_at_the_precision_of_the_returned_dtype(
    value: object, u: float
) -> None:
    asked = []
    checked = _check(value, EXPECTED_SCALAR, lambda v: asked.append(v) or np.asarray(0.0))
    assert checked.ok and checked.note is None
    assert asked == [u]


@pytest.mark.parametrize(
    "value",
    [
        np.array(0.5, dtype=np.float16),
        torch.tensor(0.5, dtype=torch.bfloat16),
        torch.tensor(0.5, dtype=torch.float16),
    ],
)
def test_half_precision_is_refused_as_too_coarse_to_judge(value: object) -> None:
    checked = _check(value, EXPECTED_SCALAR, lambda v: np.asarray(np.inf))
    assert checked.issue is not None and checked.issue.code == "wrong_dtype"
    assert "float32 or float64" in checked.issue.message


def test_a_float32_value_is_judged_at_float32_precision() -> None:
    tolerance = 1000 * 2.0**-24 * 0.5
    inside = np.float32(0.5) + np.float32(tolerance / 2)
    outside = np.float32(0.5 + 2 * tolerance)
    assert _check(inside, EXPECTED_SCALAR).ok
    checked = _check(outside, EXPECTED_SCALAR)
    assert checked.issue is not None and checked.issue.code == "wrong_value"


def test_a_float64_value_correct_to_float32_only_passes_with_a_note() -> None:
    received = 0.5 + 1000 * 2.0**-24 * 0.5 / 2  # misses float64's bound, inside float32's
    checked = _check(received, EXPECTED_SCALAR)
    assert checked.ok and checked.issue is None
    assert checked.note == (
        "mse agrees to float32 precision only (computed in float32 and converted?)"
    )
    assert _check(np.float64(0.5 + 1e-14), EXPECTED_SCALAR).note is None


def test_the_wrong_value_message_names_the_difference_and_the_tolerance() -> None:
    expected = np.array([[1.0], [2.0], [3.0]])
    received = np.array([[1.0 + 1e-3], [2.0 + 5e-3], [3.0 + 4e-3]], dtype=np.float32)
    tolerance = np.array([[1e-4], [1e-2], [1e-3]])
    checked = check_output(
        "new_weight", package(received, top=False), expected, tolerance=lambda u: tolerance
    )
    assert checked.issue is not None and checked.issue.code == "wrong_value"
    # the largest difference among the elements outside their tolerance, and that tolerance
    assert checked.issue.message == (
        "new_weight differs from the expected value (largest difference 0.004, tolerance 0.001)"
    )
    assert checked.value is not None and checked.value.shape == (3, 1)


def test_a_float64_value_outside_both_bounds_reports_the_float32_tolerance() -> None:
    checked = _check(0.5 + 1e-3, EXPECTED_SCALAR)
    assert checked.issue is not None and checked.issue.code == "wrong_value"
    assert checked.issue.message == (
        "mse differs from the expected value (largest difference 0.001, "
        f"tolerance {1000 * 2.0**-24 * 0.5:.3g})"
    )


def test_an_infinite_or_zero_tolerance() -> None:
    assert _check(123.0, EXPECTED_SCALAR, lambda u: np.asarray(np.inf)).ok
    assert _check(0.5, EXPECTED_SCALAR, lambda u: np.asarray(0.0)).ok
    assert not _check(np.nextafter(0.5, 1), EXPECTED_SCALAR, lambda u: np.asarray(0.0)).ok


def test_check_return_computes_each_precision_once() -> None:
    expected = {"new_weight": EXPECTED_COLUMN, "mse": EXPECTED_SCALAR}
    asked = []

    def tolerance(u: float) -> dict[str, np.ndarray]:
        asked.append(u)
        return outputs_relative(expected)(u)

    result = package((np.array([[1.0], [2.0]], dtype=np.float32), np.float32(0.5)))
    checks, issue = check_return(result, ("new_weight", "mse"), expected, {}, tolerance=tolerance)
    assert issue is None and all(c.ok for c in checks)
    assert asked == [2.0**-24]
