"""Compiled loops of the linear-model fast path (numba, no autograd, no per-sample Python).

Two kernels, both reading each row of ``X`` once while it sits in the L1 cache:

* :func:`sgd_epoch` — one epoch of mini-batch SGD over a given row order: for each batch, the
  residuals ``r = y_B - X_B w``, the batch MSE at ``w``, then ``w ← w + lrate·(2/|B|)·X_Bᵀ r``.
* :func:`gradient_pass` — the full-batch gradient ``-(2/m) Xᵀ(y - Xw)`` and the MSE in one pass.

NOTE [one pass]: the textbook formula reads ``X`` twice — ``X @ w`` streams all of ``X`` from
memory, then ``X.T @ r`` streams it again. Here each row is used for its dot product and, at once,
for its share of ``Xᵀr``, so ``X`` crosses the memory bus once and the second use hits L1. Rows
are summed in blocks of ``block_rows`` into a block accumulator of ``X``'s dtype (fast SIMD), and
each block's sum is added into a float64 total, so a float32 gradient over a million rows keeps
float64-like accuracy at the block level (a pairwise-style split of the long sum).

Kernels are compiled on first use and cached on disk (``cache=True``), so a later process loads the
machine code instead of compiling again. They work on the arrays in place and are private to
:mod:`descentlab.linear.fast_backend` and :mod:`descentlab.linear.one_pass`, which check inputs.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["gradient_pass", "sgd_epoch"]

_JIT = {"nopython": True, "nogil": True, "cache": True, "fastmath": {"reassoc", "contract"}}


@numba.jit(inline="always", **_JIT)
def _row_dot(X: np.ndarray, i: int, w: np.ndarray) -> float:
    """``X[i] · w`` in ``X``'s dtype."""
    total = X[i, 0] * w[0]
    for j in range(1, X.shape[1]):
        total += X[i, j] * w[j]
    return total


@numba.jit(inline="always", **_JIT)
def _add_row(target: np.ndarray, scale: float, X: np.ndarray, i: int) -> None:
    """``target += scale · X[i]`` in place."""
    for j in range(X.shape[1]):
        target[j] += scale * X[i, j]


@numba.jit(**_JIT)
def sgd_epoch(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    order: np.ndarray,
    batch_size: int,
    n_batches: int,
    lrate: float,
    batch_losses: np.ndarray,
    weights: np.ndarray,
) -> int:
    """Run ``n_batches`` batches of ``order`` (consecutive slices of ``batch_size`` rows).

    ``w`` (n,) is updated in place; ``batch_losses[k]`` receives batch ``k``'s MSE at the weight
    it was drawn for; when ``weights`` has ``n_batches`` rows, row ``k`` receives the weight after
    batch ``k`` (pass a (0, n) array to record nothing). Returns the index of the first batch
    whose loss is not finite (its update is not applied), or -1 when every batch finished.
    """
    m = order.shape[0]
    n = X.shape[1]
    record = weights.shape[0] == n_batches
    if batch_size == 1:
        return _single_sample_epoch(X, y, w, order, lrate, batch_losses, weights, record)
    grad = np.zeros(n, dtype=X.dtype)
    for k in range(n_batches):
        start = k * batch_size
        stop = min(start + batch_size, m)
        grad[:] = 0
        squares = 0.0
        for t in range(start, stop):
            i = order[t]
            r = y[i] - _row_dot(X, i, w)
            squares += r * r
            _add_row(grad, r, X, i)
        size = stop - start
        loss = squares / size
        batch_losses[k] = loss
        if not np.isfinite(loss):
            return k
        scale = lrate * (2.0 / size)
        for j in range(n):
            w[j] += scale * grad[j]
        if record:
            for j in range(n):
                weights[k, j] = w[j]
    return -1


@numba.jit(**_JIT)
def _single_sample_epoch(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    order: np.ndarray,
    lrate: float,
    batch_losses: np.ndarray,
    weights: np.ndarray,
    record: bool,
) -> int:
    """:func:`sgd_epoch` at batch size 1: the residual scales the row straight into ``w``."""
    n = X.shape[1]
    for t in range(order.shape[0]):
        i = order[t]
        r = y[i] - _row_dot(X, i, w)
        loss = r * r
        batch_losses[t] = loss
        if not np.isfinite(loss):
            return t
        _add_row(w, 2.0 * lrate * r, X, i)
        if record:
            for j in range(n):
                weights[t, j] = w[j]
    return -1


@numba.jit(**_JIT)
def gradient_pass(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, block_rows: int, grad: np.ndarray
) -> float:
    """Write ``-(2/m) Xᵀ(y - Xw)`` into ``grad`` (float64, (n,)) and return the MSE at ``w``.

    One pass over the rows of ``X`` in blocks of ``block_rows`` (NOTE [one pass]).
    """
    m, n = X.shape
    block = np.zeros(n, dtype=X.dtype)
    total = np.zeros(n, dtype=np.float64)
    squares = 0.0
    for start in range(0, m, block_rows):
        stop = min(start + block_rows, m)
        block[:] = 0
        for i in range(start, stop):
            r = y[i] - _row_dot(X, i, w)
            squares += r * r
            _add_row(block, r, X, i)
        for j in range(n):
            total[j] += block[j]
    scale = -2.0 / m
    for j in range(n):
        grad[j] = scale * total[j]
    return squares / m
