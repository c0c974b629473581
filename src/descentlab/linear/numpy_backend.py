"""§1 in NumPy with the hand-derived gradient ``grad = -(2/m) Xᵀ (y - X w)``.

NumPy arrays in, NumPy arrays out; a torch tensor is refused (use :mod:`torch_backend`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descentlab.linear.api import LinearBackend, Restore, float_dtype, refuse_tensors

__all__ = [
    "GD",
    "GD_early_stopping",
    "GD_onefeature",
    "gradient_step",
    "gradient_step_onefeature",
    "least_squares",
    "minibatchSGD",
    "mse_loss",
]


def _unwrap_0d(value: Any) -> Any:
    return value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value


class NumpyLinear(LinearBackend):
    name = "numpy"

    def native(self, X: Any, y: Any, weight: Any) -> tuple[Any, Any, Any, Restore]:
        refuse_tensors(self.name, X, y, weight)
        arrays = [X, y] + ([weight] if isinstance(weight, np.ndarray) else [])
        dtype = float_dtype(*arrays)
        Xn = X.astype(dtype, copy=False)
        yn = y.astype(dtype, copy=False).reshape(-1, 1)
        wn = None if weight is None else np.asarray(weight, dtype=dtype).reshape(-1, 1)
        return Xn, yn, wn, _unwrap_0d

    def step(self, X: Any, y: Any, w: Any, lrate: float) -> tuple[Any, Any]:
        residual = y - X @ w
        mse = np.mean(residual * residual)
        grad = (-2.0 / X.shape[0]) * (X.T @ residual)
        return w - lrate * grad, mse

    def loss(self, X: Any, y: Any, w: Any) -> Any:
        residual = y - X @ w
        return np.mean(residual * residual)

    def take(self, A: Any, idx: np.ndarray) -> Any:
        return A[idx]

    def stack(self, arrays: list[Any]) -> Any:
        return np.stack(arrays)

    def vector(self, values: list[float], like: Any) -> Any:
        return np.asarray(values, dtype=like.dtype)

    def solve_least_squares(self, X: Any, y: Any) -> Any:
        return np.linalg.lstsq(X, y, rcond=None)[0]

    def from_numpy(self, array: np.ndarray, like: Any) -> Any:
        return array.astype(like.dtype)


BACKEND = NumpyLinear()
mse_loss = BACKEND.mse_loss
gradient_step_onefeature = BACKEND.gradient_step_onefeature
gradient_step = BACKEND.gradient_step
GD_onefeature = BACKEND.GD_onefeature
GD = BACKEND.GD
GD_early_stopping = BACKEND.GD_early_stopping
minibatchSGD = BACKEND.minibatchSGD
least_squares = BACKEND.least_squares
