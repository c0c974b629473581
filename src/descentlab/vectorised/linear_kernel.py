"""The compiled epoch of K linear or logistic models trained side by side (numba).

NOTE [configuration axis last]: every per-configuration array keeps the configuration index
``k`` as its last, contiguous axis — weights ``W[j, c, k]``, biases ``B[c, k]``, the batch
gradient ``G[j, c, k]``. For one sample the K forward dot products and the K gradient updates are
then loops over ``k`` with unit stride, which the compiler turns into SIMD instructions: one row
of ``X`` read from the cache serves all K models at once. A single model of 16 weights cannot
fill the vector lanes that way; that is where the group's speed over K one-by-one runs of the
single-model fast path (``linear/kernels.py``) comes from.

The trials are sorted by seed group (NOTE [group seeds]) so that group ``s`` owns the
configurations ``starts[s] <= k < starts[s + 1]`` and reads its own rows ``X[s]`` in its own
order ``orders[s]``.

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
    orders: np.ndarray,
    starts: np.ndarray,
    batch_size: int,
    loss_kind: int,
    W: np.ndarray,
    B: np.ndarray,
    VW: np.ndarray,
    VB: np.ndarray,
    hyper: np.ndarray,
    nesterov: bool,
    use_bias: bool,
    alive: np.ndarray,
    loss_sums: np.ndarray,
    stopped_at: np.ndarray,
    stopped_loss: np.ndarray,
) -> None:
    """One epoch for every configuration still ``alive``, updating the arrays in place.

    ``X`` (S, n, d) and ``Y`` (S, n, C) float32 per seed group; ``orders`` (S, n) the epoch's
    row orders; ``W`` (d, C, K), ``B`` (C, K) and their momentum buffers ``VW``, ``VB``;
    ``hyper`` (3, K) float64 rows of learning rate, momentum and weight decay; ``B`` stays
    zero without ``use_bias``. Each finished batch
    adds ``loss · size`` to ``loss_sums[k]``; a configuration whose batch loss is not finite gets
    ``alive[k] = False``, the 1-based batch in ``stopped_at[k]`` and the loss in
    ``stopped_loss[k]``.
    """
    S, n, d = X.shape
    C = Y.shape[2]
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
        for s in range(S):
            k0 = starts[s]
            k1 = starts[s + 1]
            for t in range(start, stop):
                i = orders[s, t]
                for c in range(C):
                    for k in range(k0, k1):
                        Z[c, k] = B[c, k]
                for j in range(d):
                    xj = X[s, i, j]
                    for c in range(C):
                        for k in range(k0, k1):
                            Z[c, k] += xj * W[j, c, k]
                if loss_kind == MSE:
                    for c in range(C):
                        yc = Y[s, i, c]
                        for k in range(k0, k1):
                            r = Z[c, k] - yc
                            batch_loss[k] += r * r
                            Z[c, k] = r
                elif loss_kind == BCE:
                    y0 = Y[s, i, 0]
                    for k in range(k0, k1):
                        z = Z[0, k]
                        batch_loss[k] += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - y0 * z
                        Z[0, k] = 1.0 / (1.0 + math.exp(-z)) - y0
                else:
                    for k in range(k0, k1):
                        top = Z[0, k]
                        for c in range(1, C):
                            top = max(top, Z[c, k])
                        total = 0.0
                        for c in range(C):
                            total += math.exp(Z[c, k] - top)
                        lse = top + math.log(total)
                        for c in range(C):
                            batch_loss[k] += Y[s, i, c] * (lse - Z[c, k])
                            Z[c, k] = math.exp(Z[c, k] - lse) - Y[s, i, c]
                for j in range(d):
                    xj = X[s, i, j]
                    for c in range(C):
                        for k in range(k0, k1):
                            G[j, c, k] += xj * Z[c, k]
                for c in range(C):
                    for k in range(k0, k1):
                        GB[c, k] += Z[c, k]
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
        for j in range(d):
            for c in range(C):
                _update(W[j, c], VW[j, c], G[j, c], scale, hyper, nesterov, alive)
        if use_bias:
            for c in range(C):
                _update(B[c], VB[c], GB[c], scale, hyper, nesterov, alive)


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
    """torch.optim.SGD's step for the K values of one parameter (the live ones)."""
    for k in range(p.shape[0]):
        if alive[k]:
            grad = g[k] * scale + hyper[2, k] * p[k]
            velocity = hyper[1, k] * v[k] + grad
            v[k] = velocity
            step = grad + hyper[1, k] * velocity if nesterov else velocity
            p[k] -= hyper[0, k] * step
