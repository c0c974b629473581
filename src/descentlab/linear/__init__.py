"""SPEC §1: the linear predictor, its losses, gradient steps and gradient-descent loops.

One module per backend with identical signatures — :mod:`.numpy_backend` (hand-derived gradient),
:mod:`.torch_backend` (autograd) and :mod:`.tf_backend` (``tf.GradientTape``) — and the functions
below, which pick the backend with ``backend="numpy" | "torch" | "tf"`` or, when it is None, from
the inputs (any torch tensor means torch).
:mod:`.fast_backend` is the NumPy backend run by compiled loops (same signatures, same
trajectories), and :mod:`.one_pass` the full-batch gradient that reads ``X`` once.
``batch(X, y, batch_size)`` is the seed material's shuffled batch generator (NOTE [default batch
stream]). Importing this package loads NumPy only; a backend module, and torch or TensorFlow with
it, is imported when a function first runs on it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from descentlab.linear.api import LinearBackend
from descentlab.linear.batches import (
    DEFAULT_BATCH_SEED,
    batch,
    batch_indices,
    minibatches,
    n_batches,
)
from descentlab.linear.history import GDHistory, SGDHistory
from descentlab.linear.initial import initial_weight
from descentlab.validation import check_choice, is_tensor

BACKENDS = ("numpy", "torch", "tf")

__all__ = [
    "BACKENDS",
    "DEFAULT_BATCH_SEED",
    "GD",
    "GDHistory",
    "GD_early_stopping",
    "GD_onefeature",
    "SGDHistory",
    "batch",
    "batch_indices",
    "get_backend",
    "gradient_step",
    "gradient_step_onefeature",
    "initial_weight",
    "least_squares",
    "minibatchSGD",
    "minibatches",
    "mse_loss",
    "n_batches",
]


def get_backend(backend: str | None = None, *arrays: Any) -> LinearBackend:
    """The backend named ``backend``, or torch when any of ``arrays`` is a tensor, else numpy."""
    if backend is None:
        backend = "torch" if any(is_tensor(a) for a in arrays) else "numpy"
    check_choice("backend", backend, BACKENDS)
    return import_module(f"descentlab.linear.{backend}_backend").BACKEND


def mse_loss(X: Any, y: Any, weight: Any, *, backend: str | None = None) -> Any:
    """MSE of ``X·weight`` against ``y``; see :meth:`LinearBackend.mse_loss`."""
    return get_backend(backend, X, y, weight).mse_loss(X, y, weight)


def gradient_step_onefeature(
    x: Any, y: Any, weight: Any, lrate: float, *, backend: str | None = None
) -> tuple[Any, Any]:
    """``(new_weight, mse)`` for one feature; see :meth:`LinearBackend.gradient_step_onefeature`."""
    return get_backend(backend, x, y, weight).gradient_step_onefeature(x, y, weight, lrate)


def gradient_step(
    X: Any, y: Any, weight: Any, lrate: float, *, backend: str | None = None
) -> tuple[Any, Any]:
    """``(new_weight, mse)`` for ``X`` (m, n); see :meth:`LinearBackend.gradient_step`."""
    return get_backend(backend, X, y, weight).gradient_step(X, y, weight, lrate)


def GD_onefeature(
    x: Any,
    y: Any,
    epochs: int,
    lrate: float,
    *,
    seed: int = 0,
    initial_weight: Any = None,
    backend: str | None = None,
) -> GDHistory:
    """Full-batch GD on one feature; see :meth:`LinearBackend.GD_onefeature`."""
    return get_backend(backend, x, y, initial_weight).GD_onefeature(
        x, y, epochs, lrate, seed=seed, initial_weight=initial_weight
    )


def GD(
    X: Any,
    y: Any,
    epochs: int,
    lrate: float,
    *,
    seed: int = 0,
    initial_weight: Any = None,
    backend: str | None = None,
) -> GDHistory:
    """Full-batch GD; see :meth:`LinearBackend.GD`."""
    return get_backend(backend, X, y, initial_weight).GD(
        X, y, epochs, lrate, seed=seed, initial_weight=initial_weight
    )


def GD_early_stopping(
    X: Any,
    y: Any,
    lrate: float,
    *,
    rtol: float = 1e-6,
    max_iter: int = 200,
    seed: int = 0,
    initial_weight: Any = None,
    backend: str | None = None,
) -> GDHistory:
    """GD until two consecutive losses agree within ``rtol``; see the backend method."""
    return get_backend(backend, X, y, initial_weight).GD_early_stopping(
        X, y, lrate, rtol=rtol, max_iter=max_iter, seed=seed, initial_weight=initial_weight
    )


def minibatchSGD(
    X: Any,
    y: Any,
    batch_size: int,
    epochs: int,
    lrate: float,
    *,
    seed: int = 0,
    initial_weight: Any = None,
    drop_last: bool = False,
    shuffle: bool = True,
    backend: str | None = None,
) -> SGDHistory:
    """Mini-batch SGD recording every batch; see :meth:`LinearBackend.minibatchSGD`."""
    return get_backend(backend, X, y, initial_weight).minibatchSGD(
        X,
        y,
        batch_size,
        epochs,
        lrate,
        seed=seed,
        initial_weight=initial_weight,
        drop_last=drop_last,
        shuffle=shuffle,
    )


def least_squares(X: Any, y: Any, *, backend: str | None = None) -> Any:
    """Closed-form least squares, the ground truth for linear regression."""
    return get_backend(backend, X, y).least_squares(X, y)
