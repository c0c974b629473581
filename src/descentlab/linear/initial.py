"""Initial weights and batch order from one explicit seed.

NOTE [seed streams]: a seed feeds two independent NumPy streams, ``[seed, 0]`` for the initial
weight and ``[seed, 1]`` for the batch order. The initial weight therefore depends only on the seed
and the number of features: full-batch GD, mini-batch SGD and every backend start from the same
bits, and changing the batch size never changes where a run starts.
"""

from __future__ import annotations

import numpy as np

from descentlab.validation import check_positive_int, check_seed

__all__ = ["batch_rng", "initial_weight"]


def initial_weight(n_features: int, seed: int) -> np.ndarray:
    """Standard-normal float64 weights of shape ``(n_features, 1)`` drawn from ``seed``."""
    n_features = check_positive_int("n_features", n_features)
    seed = check_seed("seed", seed)
    return np.random.default_rng([seed, 0]).standard_normal((n_features, 1))


def batch_rng(seed: int) -> np.random.Generator:
    """The generator that draws every epoch's permutation for ``seed``."""
    return np.random.default_rng([check_seed("seed", seed), 1])
