"""Mini-batches over a fresh permutation each epoch.

NOTE [batch order]: one generator is created per run and every epoch draws the next permutation
from it, so epochs see different orders while the same seed replays the same sequence of orders.
Re-seeding a generator at the top of each epoch (a common mistake) would repeat one order forever.

NOTE [default batch stream]: the seed material's ``batch(X, y, batch_size)`` takes no generator,
and its loop calls it once per epoch. Without ``seed=``/``rng=`` it therefore draws from one
stream per process, ``batch_rng(DEFAULT_BATCH_SEED)``, created on first use: the k-th call of a
fresh process yields the order of epoch k of ``minibatchSGD(..., seed=DEFAULT_BATCH_SEED)``. Each
epoch gets a new order (the trap above is avoided) and a rerun of the script replays the same
orders. ``seed=s`` starts a fresh stream each call (the first epoch of ``seed=s``, the same order
every call); ``rng=`` leaves the stream to the caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from descentlab.linear.initial import batch_rng
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_bool,
    check_positive_int,
    check_same_rows,
    describe,
    is_tensor,
)

__all__ = [
    "DEFAULT_BATCH_SEED",
    "batch",
    "batch_indices",
    "epoch_order",
    "minibatches",
    "n_batches",
]

DEFAULT_BATCH_SEED = 0
_default_stream: list[
    np.random.Generator
] = []  # created on first use (NOTE [default batch stream])


def n_batches(n_samples: int, batch_size: int, *, drop_last: bool = False) -> int:
    """Batches per epoch: ``ceil(m / b)``, or ``floor(m / b)`` when the partial one is dropped."""
    n_samples = check_positive_int("n_samples", n_samples)
    batch_size = check_positive_int("batch_size", batch_size)
    return n_samples // batch_size if drop_last else -(-n_samples // batch_size)


def epoch_order(
    n_samples: int,
    batch_size: int,
    *,
    rng: np.random.Generator | None,
    drop_last: bool = False,
) -> tuple[np.ndarray, int]:
    """One epoch's row order and its number of batches.

    The order is ``rng.permutation(n_samples)``, or ``0..m-1`` when ``rng`` is None; batch ``k``
    is ``order[k*b:(k+1)*b]``. An epoch with no batch at all is an error. Every loop (the
    reference one and the compiled fast path) draws its orders here, so equal seeds give equal
    batches (NOTE [batch order]).
    """
    count = n_batches(n_samples, batch_size, drop_last=drop_last)
    if count == 0:
        raise InputValueError(
            f"batch_size must be at most n_samples when drop_last=True (no batch would remain), "
            f"got batch_size={batch_size} for n_samples={n_samples}"
        )
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise InputTypeError(
            f"rng must be a numpy.random.Generator or None, got {type(rng).__name__}"
        )
    order = np.arange(n_samples) if rng is None else rng.permutation(n_samples)
    return order, count


def batch_indices(
    n_samples: int,
    batch_size: int,
    *,
    rng: np.random.Generator | None,
    drop_last: bool = False,
) -> Iterator[np.ndarray]:
    """Yield one epoch of index arrays (see :func:`epoch_order`).

    The last, partial batch is kept unless ``drop_last``.

    >>> rng = np.random.default_rng(0)
    >>> [len(b) for b in batch_indices(100, 30, rng=rng)]
    [30, 30, 30, 10]
    """
    order, count = epoch_order(n_samples, batch_size, rng=rng, drop_last=drop_last)
    for start in range(0, count * batch_size, batch_size):
        yield order[start : start + batch_size]


def minibatches(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    *,
    rng: np.random.Generator | None,
    drop_last: bool = False,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield one epoch of ``(X_batch, y_batch)`` pairs; see :func:`batch_indices`."""
    if len(X) != len(y):
        raise InputValueError(
            f"X and y must have the same number of rows, got {len(X)} and {len(y)}"
        )
    for idx in batch_indices(len(X), batch_size, rng=rng, drop_last=drop_last):
        yield X[idx], y[idx]


def batch(
    X: Any,
    y: Any,
    batch_size: int,
    *,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
    drop_last: bool = False,
) -> Iterator[tuple[Any, Any]]:
    """The seed's batch generator: one shuffled epoch of ``(X_batch, y_batch)`` pairs.

    ``for X_b, y_b in batch(X, y, 32): ...`` visits every row once, in batches of ``batch_size``
    (the last one partial unless ``drop_last``). The order is a permutation drawn from ``rng``;
    from a fresh generator of ``seed``; or, with neither, from the process's default stream seeded
    by :data:`DEFAULT_BATCH_SEED` = 0, so successive epochs differ and reruns repeat (NOTE
    [default batch stream]). ``X`` and ``y`` are NumPy arrays or torch tensors with equal row
    counts; the batches are rows of them, of the same type.

    >>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5.0)
    >>> [len(y_b) for _, y_b in batch(X, y, 2, seed=1)]
    [2, 2, 1]
    """
    for name, array in (("X", X), ("y", y)):
        if not (isinstance(array, np.ndarray) or is_tensor(array)):
            raise InputTypeError(
                f"{name} must be a NumPy array or torch tensor, got {describe(array)}"
            )
        if array.ndim == 0:
            raise InputValueError(f"{name} must have rows (at least 1-D), got a 0-d {name}")
    check_same_rows("X", len(X), "y", len(y))
    batch_size = check_positive_int("batch_size", batch_size)
    drop_last = check_bool("drop_last", drop_last)
    if seed is not None and rng is not None:
        raise InputValueError(f"seed must be None when rng is given, got seed={seed!r}")
    if seed is not None:
        rng = batch_rng(seed)
    elif rng is None:
        if not _default_stream:
            _default_stream.append(batch_rng(DEFAULT_BATCH_SEED))
        rng = _default_stream[0]
    # drawn now, at the call, so each call takes the next order of the stream
    order, count = epoch_order(len(X), batch_size, rng=rng, drop_last=drop_last)
    return _rows(X, y, [order[k * batch_size : (k + 1) * batch_size] for k in range(count)])


def _rows(X: Any, y: Any, groups: list[np.ndarray]) -> Iterator[tuple[Any, Any]]:
    for idx in groups:
        yield X[idx], y[idx]
