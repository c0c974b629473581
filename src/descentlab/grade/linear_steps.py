"""The two §1 gradient steps as gradable functions: how their cases are drawn, what can go wrong.

Case ``i`` (``i = 1, 2, ...``) has ``m = 5 i`` samples, learning rate ``LRATES[i % 3]`` and incoming
weight ``WEIGHTS[i % 4]`` (``"random"``: standard normal); ``gradient_step`` cases have
``FEATURES[i % 5]`` features, so twelve consecutive cases cover every (lrate, weight) pair and every
feature count. ``X`` is standard normal, ``y = X w* + noise``; inputs are rounded to 4 decimals so
the case files stay readable, and the expected values are computed from the rounded inputs.

The mistakes are the usual ones in a hand-written step: each predicts one output from the reference
math (``r = y - X w``, ``grad = -(2/m) Xᵀ r``, ``mse = mean(r²)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from descentlab.grade.diagnose import Mistake

__all__ = [
    "FEATURES",
    "LRATES",
    "MISTAKES",
    "WEIGHTS",
    "describe",
    "make_inputs",
    "make_inputs_onefeature",
]

LRATES = (0.5, 1.0, 1.5)
WEIGHTS: tuple[float | str, ...] = (0.01, 0.1, 1.0, "random")
FEATURES = (1, 2, 3, 4, 5)
_DECIMALS = 4


def _draw(rng: np.random.Generator, i: int, n: int, *, scalar_weight: bool) -> dict[str, Any]:
    m = 5 * i
    X = np.round(rng.standard_normal((m, n)), _DECIMALS)
    w_true = rng.standard_normal((n, 1)) * 2.0
    y = np.round(X @ w_true + 0.5 * rng.standard_normal((m, 1)), _DECIMALS)
    kind = WEIGHTS[i % len(WEIGHTS)]
    shape: tuple[int, ...] = () if scalar_weight else (n, 1)
    if kind == "random":
        weight = np.round(rng.standard_normal(shape), _DECIMALS)
    else:
        weight = np.full(shape, kind, dtype=np.float64)
    return {"X": X, "y": y, "weight": np.asarray(weight), "lrate": LRATES[i % len(LRATES)]}


def make_inputs_onefeature(rng: np.random.Generator, i: int) -> dict[str, Any]:
    """Inputs ``x`` (m, 1), ``y`` (m, 1), a 0-d ``weight`` and ``lrate`` for case ``i``."""
    drawn = _draw(rng, i, 1, scalar_weight=True)
    return {"x": drawn.pop("X"), **drawn}


def make_inputs(rng: np.random.Generator, i: int) -> dict[str, Any]:
    """Inputs ``X`` (m, n), ``y`` (m, 1), ``weight`` (n, 1) and ``lrate`` for case ``i``."""
    return _draw(rng, i, FEATURES[i % len(FEATURES)], scalar_weight=False)


def describe(inputs: Mapping[str, Any]) -> str:
    """``"m=10, n=2, lrate=0.5, weight=0.1"`` (``weight=random`` when the entries differ)."""
    X = inputs["X"] if "X" in inputs else inputs["x"]
    weight = np.asarray(inputs["weight"]).ravel()
    kind = f"{weight[0]:g}" if np.all(weight == weight[0]) and weight[0] in WEIGHTS else "random"
    m, n = X.shape
    return f"m={m}, n={n}, lrate={inputs['lrate']:g}, weight={kind}"


def _parts(inputs: Mapping[str, Any]) -> tuple[np.ndarray, ...]:
    X = np.asarray(inputs["X"] if "X" in inputs else inputs["x"], dtype=np.float64)
    y = np.asarray(inputs["y"], dtype=np.float64).reshape(-1, 1)
    w = np.asarray(inputs["weight"], dtype=np.float64).reshape(-1, 1)
    lrate = float(inputs["lrate"])
    residual = y - X @ w
    m = X.shape[0]
    grad = (-2.0 / m) * (X.T @ residual)
    return X, y, w, np.float64(lrate), np.float64(m), grad, np.mean(residual**2)


def _weight(rule: str, message: str, step: Any) -> Mistake:
    def predict(inputs: Mapping[str, Any]) -> np.ndarray:
        _, _, w, lrate, m, grad, _ = _parts(inputs)
        return step(w, lrate, m, grad)

    return Mistake(rule, "new_weight", message, predict)


def _loss(rule: str, message: str, value: Any) -> Mistake:
    def predict(inputs: Mapping[str, Any]) -> np.ndarray:
        X, y, w, lrate, m, grad, mse = _parts(inputs)
        after = np.mean((y - X @ (w - lrate * grad)) ** 2)
        return np.asarray(value(mse, m, after))

    return Mistake(rule, "mse", message, predict)


MISTAKES: tuple[Mistake, ...] = (
    _weight(
        "sign_flipped",
        "the gradient's sign is flipped: the step goes uphill (w + lrate·grad)",
        lambda w, lr, m, g: w + lr * g,
    ),
    _weight(
        "missing_factor_2",
        "the gradient is missing its factor 2: grad = -(2/m)·Xᵀ(y - Xw)",
        lambda w, lr, m, g: w - lr * g / 2,
    ),
    _weight(
        "missing_1_over_m",
        "the gradient is a sum over the samples, not a mean (missing 1/m)",
        lambda w, lr, m, g: w - lr * g * m,
    ),
    _weight(
        "missing_2_over_m",
        "the gradient is missing its factor 2/m: grad = -(2/m)·Xᵀ(y - Xw)",
        lambda w, lr, m, g: w - lr * g * m / 2,
    ),
    _weight(
        "lrate_twice",
        "the learning rate is applied twice (w - lrate²·grad)",
        lambda w, lr, m, g: w - lr * lr * g,
    ),
    _weight(
        "weight_unchanged",
        "the weight is returned unchanged: the update is computed but not applied",
        lambda w, lr, m, g: w,
    ),
    _weight(
        "returns_gradient",
        "the gradient is returned instead of the new weight",
        lambda w, lr, m, g: g,
    ),
    _loss(
        "loss_after_update",
        "the loss is computed after the update; return the loss at the incoming weight",
        lambda mse, m, after: after,
    ),
    _loss(
        "sum_instead_of_mean",
        "the loss is a sum of squared errors, not their mean",
        lambda mse, m, after: mse * m,
    ),
    _loss(
        "half_mse",
        "the loss is halved (mean/2); this function returns the plain mean of squared errors",
        lambda mse, m, after: mse / 2,
    ),
    _loss(
        "rmse",
        "the loss is the root of the mean squared error (RMSE), not the MSE",
        lambda mse, m, after: np.sqrt(mse),
    ),
)
