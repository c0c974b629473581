"""Two-dimensional test functions for optimizer trajectories: Rosenbrock, a saddle, a valley.

Each :class:`Surface` evaluates ``f`` and its analytic gradient on points of shape ``(..., 2)``
and carries what a demonstration needs: a start, a plotting box, the minimum (None for the
saddle, which has none) and two learning rates that show the optimizer families at their best
without diverging — ``lrate`` for the SGD family (steps scale with the gradient) and
``adaptive_lrate`` for per-coordinate normalised optimizers (Adam, RMSprop, …: steps of about
``lr`` whatever the gradient's size).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from descentlab.validation import (
    InputValueError,
    check_choice,
    check_finite_float,
    check_positive_float,
)

__all__ = ["SURFACES", "Surface", "get_surface", "narrow_valley", "rosenbrock", "saddle"]


@dataclass(frozen=True)
class Surface:
    """A smooth ``f: R² → R`` with its gradient, both vectorised over the last axis."""

    name: str
    formula: str
    value: Callable[[np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray], np.ndarray]
    start: tuple[float, float]
    box: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max
    minimum: tuple[float, float] | None
    lrate: float
    adaptive_lrate: float
    log_levels: bool = False


def _points(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.asarray(z, dtype=np.float64)
    if z.ndim == 0 or z.shape[-1] != 2:
        raise InputValueError(f"z must have a last axis of length 2, got shape {z.shape}")
    return z[..., 0], z[..., 1]


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    r"""``f(x, y) = (a − x)² + b·(y − x²)²``: a curved, flat-bottomed valley, minimum ``(a, a²)``.

    .. math::

        \nabla f = \bigl(-2(a - x) - 4 b x (y - x^2),\; 2 b (y - x^2)\bigr)
    """
    a = check_finite_float("a", a)
    b = check_positive_float("b", b)

    def value(z: np.ndarray) -> np.ndarray:
        x, y = _points(z)
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def gradient(z: np.ndarray) -> np.ndarray:
        x, y = _points(z)
        return np.stack([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)], axis=-1)

    return Surface(
        name="rosenbrock",
        formula=f"f(x, y) = ({a:g} − x)² + {b:g}·(y − x²)²",
        value=value,
        gradient=gradient,
        start=(-1.2, 1.0),
        box=(-2.0, 2.0, -1.0, 3.0),
        minimum=(a, a * a),
        lrate=1e-3,
        adaptive_lrate=0.1,
        log_levels=True,
    )


def saddle() -> Surface:
    """``f(x, y) = x² − y²``: a saddle at the origin, unbounded below along y (no minimum).

    Started just off the ridge ``y = 0``, a run first slides towards the saddle point and is then
    pushed away along y; how long it lingers is what tells optimizers apart.
    """

    def value(z: np.ndarray) -> np.ndarray:
        x, y = _points(z)
        return x**2 - y**2

    def gradient(z: np.ndarray) -> np.ndarray:
        x, y = _points(z)
        return np.stack([2 * x, -2 * y], axis=-1)

    return Surface(
        name="saddle",
        formula="f(x, y) = x² − y²",
        value=value,
        gradient=gradient,
        start=(-1.8, 1e-3),
        box=(-2.0, 2.0, -2.0, 2.0),
        minimum=None,
        lrate=0.05,
        adaptive_lrate=0.05,
    )


def narrow_valley(condition: float = 50.0, angle: float = math.pi / 6) -> Surface:
    r"""An ill-conditioned quadratic ``f(z) = ½ zᵀ A z`` with ``A = R diag(1, κ) Rᵀ``.

    ``R`` rotates by ``angle`` so the valley is not aligned with the axes (per-coordinate
    scaling cannot undo it); ``κ = condition`` is the ratio of the curvatures across and along
    the valley. The gradient is ``A z``; the minimum is the origin. Gradient descent is stable
    for ``lrate < 2/κ``; the default ``lrate = 1.2/κ`` makes it zig-zag across the valley while
    staying inside Nesterov momentum's (tighter) stability region.
    """
    condition = check_positive_float("condition", condition)
    angle = check_finite_float("angle", angle)
    c, s = math.cos(angle), math.sin(angle)
    rotation = np.array([[c, -s], [s, c]])
    matrix = rotation @ np.diag([1.0, condition]) @ rotation.T

    def value(z: np.ndarray) -> np.ndarray:
        _points(z)
        z = np.asarray(z, dtype=np.float64)
        return 0.5 * np.einsum("...i,ij,...j->...", z, matrix, z)

    def gradient(z: np.ndarray) -> np.ndarray:
        _points(z)
        return np.asarray(z, dtype=np.float64) @ matrix.T

    return Surface(
        name="narrow_valley",
        formula=f"f(z) = ½ zᵀAz, eigenvalues 1 and {condition:g}, rotated {math.degrees(angle):g}°",
        value=value,
        gradient=gradient,
        start=(-2.0, 0.5),
        box=(-2.5, 2.5, -2.0, 2.0),
        minimum=(0.0, 0.0),
        lrate=1.2 / condition,
        adaptive_lrate=0.05,
        log_levels=True,
    )


SURFACES: dict[str, Callable[[], Surface]] = {
    "rosenbrock": rosenbrock,
    "saddle": saddle,
    "narrow_valley": narrow_valley,
}


def get_surface(name: str) -> Surface:
    """The registered surface ``name`` with its default parameters."""
    check_choice("surface", name, list(SURFACES))
    return SURFACES[name]()
