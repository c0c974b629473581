"""The compiled epoch of K linear or logistic models trained side by side (numba).

NOTE [configuration axis last]: every per-configuration array keeps the configuration index
``k`` as its last, contiguous axis — weights ``W[j, c, k]``, biases ``B[c, k]``, the batch
gradient ``G[j, c, k]``. For one sample the K forward dot products and the K gradient updates are
then loops over ``k`` with unit stride, which the compiler turns into SIMD instructions: one row
of ``X`` read from the cache serves all K models at once. A single model of 16 weights cannot
fill the vector lanes that way; that is where the group's speed over K one-by-one runs of the
single-model fast path (``linear/kernels.py``) comes from.

The kernel runs once per seed group (NOTE [group seeds]): the trials of one group read the
same rows in the same order, and each group's arrays are contiguous in ``k`` (a strided slice of
one big array measured 10-20× slower: the compiler no longer vectorises the ``k`` loops).

The arithmetic follows ``descentlab train`` step by step: the batch loss at the current weights
(the mean over the batch, and over the outputs for MSE), a non-finite loss stops that
configuration before its update (NOTE [divergence] in ``train/fit.py``), then
``torch.optim.SGD``'s update ``g ← ∇ + λ·p``, ``v ← μ·v + g``, ``p ← p - η·(g + μ·v if nesterov
else v)`` with ``v`` starting at zero (torch's first step sets ``v = g``, the same value).
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["BCE", "CE", "MSE", "group_epoch"]

MSE, BCE, CE = 0, 1, 2

_JIT = {"nopython": True, "nogil": True, "cache": True, "fastmath": {"reassoc", "contract"}}


@numba.jit(**_JIT)
def group_epoch(
    X: np.ndarray,
    Y: np.ndarray,
    order: np.ndarray,
    batch_size: int,
    loss_kind: int,
    W: np.ndarray,
    B: np.ndarray,
    VW: np.ndarray,
    VB: np.ndarray,
    hyper: np.ndarray,
    nesterov: bool,
    use_bias: bool,
    SW: np.ndarray,
    SB: np.ndarray,
    adam: np.ndarray,
    step0: int,
    alive: np.ndarray,
    loss_sums: np.ndarray,
    stopped_at: np.ndarray,
    stopped_loss: np.ndarray,
) -> None:
    """One epoch for every configuration still ``alive``, updating the arrays in place.

    ``X`` (n, d) and ``Y`` (n, C) float32, ``order`` (n,) the epoch's row order; ``W`` (d, C, K),
    ``B`` (C, K) and their momentum buffers ``VW``, ``VB``; ``hyper`` (3, K) float32 rows of
    learning rate, momentum and weight decay (torch applies them in the parameters' dtype);
    ``B`` stays zero without ``use_bias``. With ``adam`` (float64 ``[β1, β2, ε]``, empty for SGD)
    the step is ``torch.optim.Adam``'s: ``VW``, ``VB`` hold the first moments, ``SW``, ``SB`` the
    second, ``step0`` the updates made before this epoch (for the bias corrections). Each
    finished batch adds ``loss · size`` to ``loss_sums[k]``; a configuration whose batch loss is
    not finite gets ``alive[k] = False``, the 1-based batch in ``stopped_at[k]`` and the loss in
    ``stopped_loss[k]``.
    """
    n, d = X.shape
    C = Y.shape[1]
    K = W.shape[2]
    G = np.zeros((d, C, K), dtype=W.dtype)
    GB = np.zeros((C, K), dtype=W.dtype)
    Z = np.zeros((C, K), dtype=W.dtype)
    batch_loss = np.zeros(K, dtype=np.float32)
    n_batches = (n + batch_size - 1) // batch_size
    for batch in range(n_batches):
        start = batch * batch_size
        stop = min(start + batch_size, n)
        size = stop - start
        G[:] = 0
        GB[:] = 0
        batch_loss[:] = 0
        for t in range(start, stop):
            i = order[t]
            for c in range(C):
                _copy(Z[c], B[c])
            for j in range(d):
                xj = X[i, j]
                for c in range(C):
                    _add_scaled(Z[c], xj, W[j, c])
            _loss_and_slope(loss_kind, Z, Y[i], batch_loss)
            for j in range(d):
                xj = X[i, j]
                for c in range(C):
                    _add_scaled(G[j, c], xj, Z[c])
            for c in range(C):
                _add(GB[c], Z[c])
        per_loss = size * C if loss_kind == MSE else size
        scale = (2.0 if loss_kind == MSE else 1.0) / per_loss
        for k in range(K):
            if not alive[k]:
                continue
            loss = batch_loss[k] / per_loss
            if not np.isfinite(loss):
                alive[k] = False
                stopped_at[k] = batch + 1
                stopped_loss[k] = loss
                continue
            loss_sums[k] += loss * size
        if adam.shape[0]:
            t = step0 + batch + 1
            corrections = np.array([1.0 - adam[0] ** t, math.sqrt(1.0 - adam[1] ** t)])
            for j in range(d):
                for c in range(C):
                    _adam(
                        W[j, c], VW[j, c], SW[j, c], G[j, c], scale, hyper, adam, corrections, alive
                    )
            if use_bias:
                for c in range(C):
                    _adam(B[c], VB[c], SB[c], GB[c], scale, hyper, adam, corrections, alive)
            continue
        for j in range(d):
            for c in range(C):
                _update(W[j, c], VW[j, c], G[j, c], scale, hyper, nesterov, alive)
        if use_bias:
            for c in range(C):
                _update(B[c], VB[c], GB[c], scale, hyper, nesterov, alive)


@numba.jit(inline="always", **_JIT)
def _copy(target: np.ndarray, source: np.ndarray) -> None:
    for k in range(target.shape[0]):
        target[k] = source[k]


@numba.jit(inline="always", **_JIT)
def _add_scaled(target: np.ndarray, scale: float, source: np.ndarray) -> None:
    """``target += scale · source`` over the K configurations (contiguous: SIMD)."""
    for k in range(target.shape[0]):
        target[k] += scale * source[k]


@numba.jit(inline="always", **_JIT)
def _add(target: np.ndarray, source: np.ndarray) -> None:
    for k in range(target.shape[0]):
        target[k] += source[k]


@numba.jit(inline="always", **_JIT)
def _loss_and_slope(kind: int, Z: np.ndarray, y: np.ndarray, batch_loss: np.ndarray) -> None:
    """Add one sample's loss at outputs ``Z`` (C, K) to ``batch_loss`` and overwrite ``Z`` with
    the loss's slope in the outputs (up to the batch's scale): ``z - y`` for MSE,
    ``σ(z) - y`` for the binary cross-entropy, ``softmax(z) - y`` for the multi-class one."""
    C, K = Z.shape
    if kind == MSE:
        for c in range(C):
            yc = y[c]
            z = Z[c]
            for k in range(K):
                r = z[k] - yc
                batch_loss[k] += r * r
                z[k] = r
    elif kind == BCE:
        y0 = y[0]
        z = Z[0]
        for k in range(K):
            v = z[k]
            batch_loss[k] += max(v, 0.0) + math.log1p(math.exp(-abs(v))) - y0 * v
            z[k] = 1.0 / (1.0 + math.exp(-v)) - y0
    else:
        for k in range(K):
            top = Z[0, k]
            for c in range(1, C):
                top = max(top, Z[c, k])
            total = 0.0
            for c in range(C):
                total += math.exp(Z[c, k] - top)
            lse = top + math.log(total)
            for c in range(C):
                batch_loss[k] += y[c] * (lse - Z[c, k])
                Z[c, k] = math.exp(Z[c, k] - lse) - y[c]


@numba.jit(inline="always", **_JIT)
def _update(
    p: np.ndarray,
    v: np.ndarray,
    g: np.ndarray,
    scale: float,
    hyper: np.ndarray,
    nesterov: bool,
    alive: np.ndarray,
) -> None:
    """torch.optim.SGD's step for the K values of one parameter (the live ones).

    Every lane computes its step and a select keeps the old values of the stopped ones: a
    branch per lane kept the compiler from vectorising this loop, which then cost as much as the
    rest of the epoch (measured: the epoch took 2x as long).
    """
    scale32 = np.float32(scale)
    for k in range(p.shape[0]):
        grad = g[k] * scale32 + hyper[2, k] * p[k]
        velocity = hyper[1, k] * v[k] + grad
        step = grad + hyper[1, k] * velocity if nesterov else velocity
        moved = p[k] - hyper[0, k] * step
        keep = alive[k]
        v[k] = velocity if keep else v[k]
        p[k] = moved if keep else p[k]


@numba.jit(inline="always", **_JIT)
def _adam(
    p: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    g: np.ndarray,
    scale: float,
    hyper: np.ndarray,
    adam: np.ndarray,
    corrections: np.ndarray,
    alive: np.ndarray,
) -> None:
    """torch.optim.Adam's step for the K values of one parameter (the live ones):
    ``m ← m + (1-β1)(g - m)``, ``v ← β2·v + (1-β2)·g²``,
    ``p ← p - η/(1-β1ᵗ) · m / (√v / √(1-β2ᵗ) + ε)``, a select per lane as in :func:`_update`."""
    scale32 = np.float32(scale)
    one_minus_b1 = np.float32(1.0 - adam[0])
    b2 = np.float32(adam[1])
    one_minus_b2 = np.float32(1.0 - adam[1])
    eps = np.float32(adam[2])
    inverse_c1 = np.float32(1.0 / corrections[0])
    inverse_c2 = np.float32(1.0 / corrections[1])
    for k in range(p.shape[0]):
        grad = g[k] * scale32 + hyper[2, k] * p[k]
        first = m[k] + one_minus_b1 * (grad - m[k])
        second = b2 * v[k] + one_minus_b2 * grad * grad
        moved = p[k] - hyper[0, k] * inverse_c1 * first / (np.sqrt(second) * inverse_c2 + eps)
        keep = alive[k]
        m[k] = first if keep else m[k]
        v[k] = second if keep else v[k]
        p[k] = moved if keep else p[k]
