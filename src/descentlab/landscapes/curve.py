"""A one-dimensional test function with its exact first and second derivatives.

SPEC §2.8 studies ``f(x) = x·cos(πx)`` on ``[−1, 2]``: it has a shallow local minimum near
``x ≈ −0.274`` and the deeper global one near ``x ≈ 1.090``, separated by a local maximum near
``x ≈ 0.27``. Outside the interval lie further, ever deeper minima (``|f|`` grows like ``|x|``),
which is why the minima experiment treats leaving the interval as divergence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["X_COS_PI_X", "Curve"]

ArrayFunction = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Curve:
    """``f``, ``f'`` and ``f''`` of a smooth scalar function, vectorised over NumPy arrays.

    ``domain`` is the closed interval the function is studied on; ``formula`` its text.
    """

    name: str
    formula: str
    value: ArrayFunction
    derivative: ArrayFunction
    second_derivative: ArrayFunction
    domain: tuple[float, float]


def _x_cos_pi_x(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x * np.cos(np.pi * x)


def _x_cos_pi_x_derivative(x: np.ndarray) -> np.ndarray:
    # d/dx [x cos(πx)] = cos(πx) − πx sin(πx)
    x = np.asarray(x, dtype=np.float64)
    return np.cos(np.pi * x) - np.pi * x * np.sin(np.pi * x)


def _x_cos_pi_x_second(x: np.ndarray) -> np.ndarray:
    # d/dx [cos(πx) − πx sin(πx)] = −2π sin(πx) − π²x cos(πx)
    x = np.asarray(x, dtype=np.float64)
    return -2 * np.pi * np.sin(np.pi * x) - np.pi**2 * x * np.cos(np.pi * x)


X_COS_PI_X = Curve(
    name="x_cos_pi_x",
    formula="f(x) = x·cos(πx)",
    value=_x_cos_pi_x,
    derivative=_x_cos_pi_x_derivative,
    second_derivative=_x_cos_pi_x_second,
    domain=(-1.0, 2.0),
)
