"""The comparison rules on packaged values (type, dtype, shape, finite, allclose)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from descentlab.grade.compare import check_output, check_return
from descentlab.grade.inside.capture import package

EXPECTED_COLUMN = np.array([[1.0], [2.0]])
EXPECTED_SCALAR = np.array(0.5)


@pytest.mark.parametrize(
    ("value", "expected", "code"),
    [
        (np.array([[1.0], [2.0]]), EXPECTED_COLUMN, None),
        (np.array([[1.0], [2.0]], dtype=np.float32), EXPECTED_COLUMN, None),
        (torch.tensor([[1.0], [2.0]], requires_grad=True) * 1, EXPECTED_COLUMN, None),
        (torch.tensor([[1.0], [2.0]], dtype=torch.bfloat16), EXPECTED_COLUMN, None),
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
    checked = check_output("v", package(value, top=False), expected)
    assert checked.ok is (code is None)
    assert (checked.issue.code if checked.issue else None) == code


def test_shape_feedback_suggests_a_reshape_when_the_count_is_right() -> None:
    checked = check_output("new_weight", package(np.array([1.0, 2.0]), top=False), EXPECTED_COLUMN)
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
    checks, issue = check_return(package(result), ("new_weight", "mse"), expected, {})
    assert checks == [] and issue is not None and issue.code == code


def test_a_list_of_two_is_accepted_like_a_tuple() -> None:
    expected = {"new_weight": EXPECTED_COLUMN, "mse": EXPECTED_SCALAR}
    checks, issue = check_return(
        package([np.array([[1.0], [2.0]]), 0.5]), ("new_weight", "mse"), expected, {}
    )
    assert issue is None and all(c.ok for c in checks)
