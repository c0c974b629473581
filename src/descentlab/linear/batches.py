"""Mini-batches over a fresh permutation each epoch.

NOTE [batch order]: one generator is created per run and every epoch draws the next permutation
from it, so epochs see different orders while the same seed replays the same sequence of orders.
Re-seeding a generator at the top of each epoch (a common mistake) would repeat one order forever.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from descentlab.validation import InputTypeError, InputValueError, check_positive_int

__all__ = ["batch_indices", "epoch_order", "minibatches", "n_batches"]


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
