"""The full-batch gradient of the MSE in one blocked pass over ``X`` (NOTE [one pass])."""

from __future__ import annotations

from typing import Any

import numpy as np

from descentlab.linear import inputs
from descentlab.linear.kernels import gradient_pass
from descentlab.validation import InputTypeError, check_positive_int, is_tensor

__all__ = ["BLOCK_ROWS", "full_batch_gradient"]

BLOCK_ROWS = 256
"""Rows summed into one block accumulator before it joins the float64 total."""


def working_arrays(X: Any, y: Any, weight: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``X`` C-contiguous, ``y`` and ``weight`` flat, all in one float dtype (``X``'s when it is a
    float type and the others do not widen it). Nothing is copied that need not be."""
    for label, value in (("X", X), ("y", y), ("weight", weight)):
        if is_tensor(value):
            raise InputTypeError(
                f"{label} must be a NumPy array for the compiled fast path, got a torch tensor"
            )
    dtype = np.result_type(X, y, weight)
    if dtype.kind != "f":
        dtype = np.dtype(np.float64)
    return (
        np.ascontiguousarray(X, dtype=dtype),
        np.ascontiguousarray(y, dtype=dtype).reshape(-1),
        np.ascontiguousarray(weight, dtype=dtype).reshape(-1),
    )


def full_batch_gradient(
    X: np.ndarray, y: np.ndarray, weight: np.ndarray, *, block_rows: int = BLOCK_ROWS
) -> tuple[np.ndarray, float]:
    """``(grad, mse)`` with ``grad = -(2/m) Xᵀ(y - X w)`` and ``mse = mean((y - X w)²)``.

    Reads ``X`` once: each row gives its prediction and, while still in cache, its share of
    ``Xᵀ r``; sums run in blocks of ``block_rows`` rows, then in float64 (NOTE [one pass]).
    ``grad`` has the shape of ``weight`` and the working dtype (float32 stays float32). The inputs
    are never modified.

    >>> X = np.array([[1.0, 0.0], [0.0, 2.0]]); y = np.array([[1.0], [2.0]])
    >>> grad, mse = full_batch_gradient(X, y, np.zeros((2, 1)))
    >>> grad.ravel().tolist(), mse
    ([-1.0, -4.0], 2.5)
    """
    inputs.check_x("X", X, one_feature=False)
    inputs.check_target(y, X.shape[0], "X")
    inputs.check_weight(weight, X.shape[1])
    block_rows = check_positive_int("block_rows", block_rows)
    Xc, yc, wc = working_arrays(X, y, weight)
    total = np.empty(Xc.shape[1], dtype=np.float64)
    mse = gradient_pass(Xc, yc, wc, block_rows, total)
    return total.astype(Xc.dtype).reshape(weight.shape), float(mse)
