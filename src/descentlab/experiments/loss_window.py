"""The stretch of the one-feature loss parabola that a loss-vs-weight figure shows.

NOTE [loss window]: a diverging run's iterates fly off to ±1e150 and beyond; a grid spanning
them would overflow ``a·w²`` and flatten the parabola into a spike at the optimum. The window is
set by the iterates that stay within three times the start's distance from the optimum (plus
one): every converging or oscillating run (|w_k − w*| never grows) is shown whole, and a
diverging one until it leaves the picture, where its figure marks the divergence.
"""

from __future__ import annotations

import numpy as np

from descentlab.linear.loss_grid import loss_curve, weight_grid

__all__ = ["loss_window"]


def loss_window(
    x: np.ndarray, y: np.ndarray, trajectories: list[np.ndarray], optimum: float
) -> tuple[np.ndarray, np.ndarray]:
    """The weight grid and the MSE on it, around ``optimum`` and the nearby iterates of
    ``trajectories`` (each starting at its initial weight)."""
    starts = [float(w[0]) for w in trajectories if len(w) and np.isfinite(w[0])]
    reach = 3 * max((abs(s - optimum) for s in starts), default=0.0) + 1
    with np.errstate(invalid="ignore", over="ignore"):
        near = [w[np.isfinite(w) & (np.abs(w - optimum) <= reach)] for w in trajectories]
    grid = weight_grid(np.concatenate([*near, [optimum]]), optimum)
    return grid, loss_curve(x, y, grid)
