"""The MSE of a one-feature linear predictor over a grid of weights (for loss-vs-weight plots)."""

from __future__ import annotations

import numpy as np

__all__ = ["loss_curve", "weight_grid"]


def loss_curve(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``mean((y - x·w)^2)`` for every ``w`` in ``weights``, via ``a·w² - 2b·w + c``."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    w = np.asarray(weights, dtype=np.float64)
    a, b, c = np.mean(x * x), np.mean(x * y), np.mean(y * y)
    return a * w * w - 2.0 * b * w + c


def weight_grid(points: np.ndarray, optimum: float, *, size: int = 201) -> np.ndarray:
    """An even grid covering the finite ``points`` and the optimum, with a 15 % margin."""
    finite = np.asarray(points, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    low = min(float(finite.min(initial=optimum)), optimum)
    high = max(float(finite.max(initial=optimum)), optimum)
    margin = 0.15 * max(high - low, 1.0)
    return np.linspace(low - margin, high + margin, size)
