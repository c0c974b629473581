"""Checks on the arguments of the linear-model API, shared by every backend.

Shapes follow SPEC §1: ``X`` is ``(m, n)``, ``x`` is ``(m, 1)``, ``y`` is ``(m, 1)`` (``(m,)`` is
accepted and treated as a column), a multi-feature weight is ``(n, 1)`` (``(n,)`` is accepted and
the result keeps the shape given) and a one-feature weight is a scalar.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_finite_array,
    check_matrix,
    check_positive_float,
    check_positive_int,
    check_same_rows,
    describe,
    is_tensor,
)

__all__ = [
    "check_epochs",
    "check_lrate",
    "check_one_feature_weight",
    "check_target",
    "check_weight",
    "check_x",
]


def check_lrate(lrate: Any) -> float:
    return check_positive_float("lrate", lrate)


def check_epochs(epochs: Any, name: str = "epochs") -> int:
    return check_positive_int(name, epochs)


def check_x(name: str, X: Any, *, one_feature: bool) -> None:
    check_matrix(name, X, columns=1 if one_feature else None)


def check_target(y: Any, m: int, x_name: str) -> None:
    """``y`` of shape (m, 1) or (m,), finite and real."""
    if not (isinstance(y, np.ndarray) or is_tensor(y)):
        raise InputTypeError(f"y must be a NumPy array or torch tensor, got {describe(y)}")
    if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
        rows = y.shape[0]
    else:
        raise InputValueError(f"y must have shape (m, 1) or (m,), got shape {tuple(y.shape)}")
    check_same_rows(x_name, m, "y", rows)
    kind = getattr(y.dtype, "kind", None)
    if (kind is not None and kind not in "iuf") or str(y.dtype) in ("torch.bool",):
        raise InputTypeError(f"y must hold real numbers, got {describe(y)}")
    if is_tensor(y) and y.dtype.is_complex:
        raise InputTypeError(f"y must hold real numbers, got {describe(y)}")
    check_finite_array("y", y)


def check_weight(weight: Any, n: int) -> None:
    """A weight array or tensor of shape (n, 1) or (n,), finite."""
    if not (isinstance(weight, np.ndarray) or is_tensor(weight)):
        raise InputTypeError(
            f"weight must be a NumPy array or torch tensor of shape ({n}, 1), "
            f"got {describe(weight)}"
        )
    if tuple(weight.shape) not in ((n, 1), (n,)):
        raise InputValueError(
            f"weight must have shape ({n}, 1) to match X with {n} column(s), "
            f"got shape {tuple(weight.shape)}"
        )
    check_finite_array("weight", weight)


def check_one_feature_weight(weight: Any) -> None:
    """A finite real scalar: a number, a 0-d array or a 0-d tensor (a bool is refused)."""
    if isinstance(weight, bool | np.bool_):
        raise InputTypeError(f"weight must be a finite real scalar, got {describe(weight)}")
    if isinstance(weight, np.ndarray) or is_tensor(weight):
        if weight.ndim != 0:
            raise InputValueError(
                f"weight must be a scalar (0-d) for one feature, got shape {tuple(weight.shape)}"
            )
        check_finite_array("weight", weight)
        return
    if not isinstance(weight, int | float | np.integer | np.floating):
        raise InputTypeError(f"weight must be a finite real scalar, got {describe(weight)}")
    if not np.isfinite(weight):
        raise InputValueError(f"weight must be a finite real scalar, got {weight!r}")
