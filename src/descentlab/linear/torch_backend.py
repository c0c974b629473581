"""§1 in PyTorch: the gradient comes from autograd through ``nn.MSELoss``.

Accepts NumPy arrays or tensors. When any of ``X``, ``y`` or ``weight`` is a tensor the results are
tensors on that tensor's device (CUDA included); NumPy in gives NumPy out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from descentlab.linear.api import LinearBackend, Restore
from descentlab.validation import is_tensor

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

_MSE = nn.MSELoss()


def _to_numpy(value: Any) -> Any:
    array = value.detach().cpu().numpy()
    return array[()] if array.ndim == 0 else array


def _identity(value: Any) -> Any:
    return value


class TorchLinear(LinearBackend):
    name = "torch"

    def native(self, X: Any, y: Any, weight: Any) -> tuple[Any, Any, Any, Restore]:
        given = [v for v in (X, y, weight) if v is not None]
        tensors = [v for v in given if is_tensor(v)]
        device = tensors[0].device if tensors else torch.device("cpu")
        converted = [
            v if is_tensor(v) else torch.as_tensor(np.asarray(v))
            for v in given
            if is_tensor(v) or isinstance(v, np.ndarray)
        ]
        dtype = converted[0].dtype
        for t in converted[1:]:
            dtype = torch.promote_types(dtype, t.dtype)
        if not dtype.is_floating_point:
            dtype = torch.float64

        def to(v: Any) -> Any:
            t = v if is_tensor(v) else torch.as_tensor(np.asarray(v))
            return t.detach().to(device=device, dtype=dtype)

        Xn = to(X)
        yn = to(y).reshape(-1, 1)
        wn = None if weight is None else to(weight).reshape(-1, 1)
        return Xn, yn, wn, (_identity if tensors else _to_numpy)

    def step(self, X: Any, y: Any, w: Any, lrate: float) -> tuple[Any, Any]:
        leaf = w.detach().clone().requires_grad_(True)
        loss = _MSE(X @ leaf, y)
        (grad,) = torch.autograd.grad(loss, leaf)
        return (leaf - lrate * grad).detach(), loss.detach()

    def loss(self, X: Any, y: Any, w: Any) -> Any:
        with torch.no_grad():
            return _MSE(X @ w, y)

    def take(self, A: Any, idx: np.ndarray) -> Any:
        return A[torch.from_numpy(idx).to(A.device)]

    def stack(self, arrays: list[Any]) -> Any:
        return torch.stack(arrays)

    def vector(self, values: list[float], like: Any) -> Any:
        return torch.tensor(values, dtype=like.dtype, device=like.device)

    def solve_least_squares(self, X: Any, y: Any) -> Any:
        driver = "gelsd" if X.device.type == "cpu" else None
        return torch.linalg.lstsq(X, y, driver=driver).solution

    def from_numpy(self, array: np.ndarray, like: Any) -> Any:
        return torch.from_numpy(array).to(device=like.device, dtype=like.dtype)


BACKEND = TorchLinear()
mse_loss = BACKEND.mse_loss
gradient_step_onefeature = BACKEND.gradient_step_onefeature
gradient_step = BACKEND.gradient_step
GD_onefeature = BACKEND.GD_onefeature
GD = BACKEND.GD
GD_early_stopping = BACKEND.GD_early_stopping
minibatchSGD = BACKEND.minibatchSGD
least_squares = BACKEND.least_squares
