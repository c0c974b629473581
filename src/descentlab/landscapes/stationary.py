"""Locating the minima of a :class:`~descentlab.landscapes.curve.Curve` numerically.

The derivative is sampled on a dense grid of the domain; every sign change from − to + brackets
one interior minimum, which safeguarded Newton iterations on ``f'`` (a bisection step whenever
Newton would leave the bracket) refine to machine precision. Endpoint minima are not reported:
the minima studied here are the stationary points where ``f'(x) = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.landscapes.curve import Curve
from descentlab.validation import InputValueError, check_int

__all__ = ["Minimum", "find_minima", "refine_root"]


@dataclass(frozen=True)
class Minimum:
    x: float
    f: float

    def as_json(self) -> dict[str, float]:
        return {"x": self.x, "f": self.f}


def refine_root(curve: Curve, low: float, high: float, *, max_iterations: int = 100) -> float:
    """A root of ``f'`` in ``[low, high]``, where ``f'(low)`` and ``f'(high)`` differ in sign."""
    g_low = float(curve.derivative(np.float64(low)))
    g_high = float(curve.derivative(np.float64(high)))
    if g_low == 0.0:
        return low
    if g_high == 0.0:
        return high
    if np.sign(g_low) == np.sign(g_high):
        raise InputValueError(
            f"bracket must have f' of opposite signs at its ends, got f'({low!r}) = {g_low!r} "
            f"and f'({high!r}) = {g_high!r}"
        )
    x = 0.5 * (low + high)
    for _ in range(max_iterations):
        g = float(curve.derivative(np.float64(x)))
        if g == 0.0:
            return x
        if np.sign(g) == np.sign(g_low):
            low, g_low = x, g
        else:
            high = x
        h = float(curve.second_derivative(np.float64(x)))
        newton = x - g / h if h != 0.0 else np.nan
        candidate = newton if low < newton < high else 0.5 * (low + high)
        if abs(candidate - x) <= 4 * np.finfo(np.float64).eps * max(1.0, abs(x)):
            return candidate
        x = candidate
    return x


def find_minima(curve: Curve, *, grid_points: int = 3001) -> list[Minimum]:
    """Every interior minimum of ``curve`` on its domain, ordered by ``x``.

    Two minima closer than the grid spacing ``(high − low)/(grid_points − 1)`` can be missed;
    the default spacing, 0.001 on ``[−1, 2]``, resolves ``x·cos(πx)`` many times over.
    """
    grid_points = check_int("grid_points", grid_points, minimum=3)
    low, high = curve.domain
    grid = np.linspace(low, high, grid_points)
    slope = curve.derivative(grid)
    minima = []
    for i in np.flatnonzero((slope[:-1] < 0) & (slope[1:] >= 0)):
        x = refine_root(curve, float(grid[i]), float(grid[i + 1]))
        if low < x < high and curve.second_derivative(np.float64(x)) > 0:
            minima.append(Minimum(x, float(curve.value(np.float64(x)))))
    return minima
