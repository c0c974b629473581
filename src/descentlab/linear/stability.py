"""Where gradient descent on the least-squares quadratic is stable, and how a run behaved.

For ``f(w) = mean((y - X w)^2)`` the Hessian is ``H = (2/m) XᵀX``. Gradient descent multiplies the
error along each eigenvector of ``H`` by ``1 - lrate·λ``: it converges monotonically for
``lrate < 1/λmax``, oscillates while converging for ``1/λmax < lrate < 2/λmax`` and diverges
beyond the stability bound ``2/λmax``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.validation import check_matrix

__all__ = ["BEHAVIOURS", "Behaviour", "classify_run", "hessian_extremes", "stability_bound"]

BEHAVIOURS = ("converges", "oscillates", "diverges", "too slow")


def hessian_extremes(X: np.ndarray) -> tuple[float, np.ndarray]:
    """``λmax`` of ``(2/m) XᵀX`` and its unit eigenvector."""
    check_matrix("X", X)
    hessian = (2.0 / X.shape[0]) * (X.T @ X)
    values, vectors = np.linalg.eigh(hessian)
    return float(values[-1]), vectors[:, -1]


def stability_bound(X: np.ndarray) -> float | None:
    """``2/λmax`` of the quadratic, or None when ``λmax`` is 0 (a flat loss: any rate is stable)."""
    top, _ = hessian_extremes(X)
    return 2.0 / top if top > 0 else None


@dataclass(frozen=True)
class Behaviour:
    label: str
    converged: bool
    sign_flips: float


def classify_run(
    X: np.ndarray,
    weights: np.ndarray,
    losses: np.ndarray,
    optimum: np.ndarray,
    optimum_loss: float,
    *,
    diverged: bool,
    tolerance: float = 1e-3,
) -> Behaviour:
    """Label a GD trajectory from what it did, not from the bound.

    - ``diverges``: the loss became non-finite or ended above where it started;
    - ``oscillates``: the error along the top eigenvector changed sign on most steps;
    - ``converges``: the distance to the optimum shrank below ``tolerance`` times the initial one;
    - ``too slow``: none of the above within the epochs given.

    ``converged`` tells separately whether the run reached the optimum (an oscillating run may).
    """
    _, direction = hessian_extremes(X)
    w = np.asarray(weights, dtype=np.float64).reshape(len(weights), -1)
    w_star = np.asarray(optimum, dtype=np.float64).reshape(-1)
    excess = np.asarray(losses, dtype=np.float64) - optimum_loss
    errors = w - w_star
    start = float(np.linalg.norm(errors[0]))
    end = float(np.linalg.norm(errors[-1])) if np.all(np.isfinite(errors[-1])) else np.inf
    converged = bool(np.isfinite(end) and end <= tolerance * max(start, 1e-300))
    along = errors @ direction
    scale = max(np.max(np.abs(along[np.isfinite(along)]), initial=0.0), 1e-300)
    meaningful = np.abs(along) > 1e-9 * scale
    pairs = meaningful[1:] & meaningful[:-1]
    flips = np.sign(along[1:]) != np.sign(along[:-1])
    flip_share = float(flips[pairs].mean()) if pairs.any() else 0.0
    if diverged or not np.isfinite(excess[-1]) or excess[-1] > max(excess[0], 0.0) * (1 + 1e-12):
        return Behaviour("diverges", False, flip_share)
    if flip_share > 0.5:
        return Behaviour("oscillates", converged, flip_share)
    return Behaviour("converges" if converged else "too slow", converged, flip_share)
