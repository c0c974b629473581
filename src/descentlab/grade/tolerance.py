"""How far a correct value may lie from the expected one: a forward error bound per case and dtype.

A correct submission and the reference compute the same numbers in different orders (BLAS
kernels, SIMD widths, thread counts, pairwise or recursive sums, autograd) and often at a different
precision (a float32 learner rounds the float64 inputs first). Neither result is exact, so the
comparison allows, element by element, the sum of the worst-case rounding errors of both
computations (NOTE [forward error bound]). The bound holds for *any* summation order and kernel,
so a correct submission passes on every CPU and BLAS, and it is small enough (a few units of
roundoff times the conditioning of the sums) to tell the usual mistakes apart.

>>> import numpy as np
>>> inputs = {"X": np.array([[1.0], [2.0]]), "y": np.array([[1.0], [3.0]]),
...           "weight": np.array([[0.5]]), "lrate": 0.1}
>>> tolerance = linear_step_tolerance(inputs, unit_roundoff("float32"))
>>> sorted(tolerance), tolerance["new_weight"].shape, tolerance["mse"].shape
(['mse', 'new_weight'], (1, 1), ())
"""

from __future__ import annotations

import contextlib
import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_matrix,
    check_nonnegative_float,
    describe,
)

__all__ = [
    "FLOAT32_ROUNDOFF",
    "FLOAT64_ROUNDOFF",
    "SAFETY_FACTOR",
    "linear_step_tolerance",
    "unit_roundoff",
]

FLOAT64_ROUNDOFF = 2.0**-53
FLOAT32_ROUNDOFF = 2.0**-24
SAFETY_FACTOR = 2.0

# Formats NumPy does not know, by their torch and TensorFlow names (without "torch." or "tf.").
_EXTRA_FORMATS = {"bfloat16": 2.0**-8, "float8_e4m3fn": 2.0**-4, "float8_e5m2": 2.0**-3}


def unit_roundoff(dtype: Any) -> float:
    """The unit roundoff ``u`` of a floating-point format: half the distance from 1 to the next
    number, so that rounding to nearest changes a value by a relative ``|δ| <= u``.

    ``dtype`` is a NumPy dtype or type, ``float``, a ``torch.dtype``, or a dtype name as the grader
    sees it (``"float32"``, ``"torch.float32"``, ``"tf.float32"``, ``"float"``,
    ``"torch.bfloat16"``, ``"tf.bfloat16"``): float64 ``2**-53``, float32 ``2**-24``, float16
    ``2**-11``, bfloat16 ``2**-8``.

    >>> unit_roundoff("torch.float32") == 2**-24, unit_roundoff(float) == 2**-53
    (True, True)
    """
    name = dtype if isinstance(dtype, str) else None
    if name is None and type(dtype).__module__.startswith("torch"):
        name = str(dtype)
    if name is not None:
        name = name.removeprefix("torch.").removeprefix("tf.")
        if name in _EXTRA_FORMATS:
            return _EXTRA_FORMATS[name]
    resolved = None
    if dtype is not None:  # np.dtype(None) is float64
        with contextlib.suppress(TypeError, ValueError):
            resolved = np.dtype(dtype if name is None else name)
    if resolved is None or resolved.kind != "f":
        raise InputValueError(
            "dtype must be a floating-point dtype (e.g. float64, float32, torch.float32, float), "
            f"got {describe(dtype)}"
        )
    return float(np.finfo(resolved).eps) / 2


def _check_u(u: Any) -> float:
    if isinstance(u, bool) or not isinstance(u, numbers.Real):
        raise InputTypeError(f"u must be a positive float below 1, got {describe(u)}")
    value = float(u)
    if not 0 < value < 1:
        raise InputValueError(f"u must be a positive float below 1, got {u!r}")
    return value


def _linear_inputs(inputs: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """``X`` (m, n), ``y`` (m, 1), ``w`` (n, 1) in float64 and ``lrate``, checked."""
    if not isinstance(inputs, Mapping):
        raise InputTypeError(
            "inputs must be a mapping with the keys 'X' (or 'x'), 'y', 'weight' and 'lrate', "
            f"got {describe(inputs)}"
        )
    name = "X" if "X" in inputs else "x"
    missing = [k for k in (name, "y", "weight", "lrate") if k not in inputs]
    if missing:
        raise InputValueError(
            "inputs must have the keys 'X' (or 'x'), 'y', 'weight' and 'lrate', "
            f"got {sorted(inputs)}"
        )
    X = inputs[name]
    check_matrix(f"inputs[{name!r}]", X)
    m, n = X.shape
    arrays = {}
    for key, size in (("y", m), ("weight", n)):
        value = np.asarray(inputs[key])
        if value.dtype.kind not in "iuf" or value.size != size:
            raise InputValueError(
                f"inputs[{key!r}] must hold {size} real number(s) (X has shape {(m, n)}), "
                f"got {describe(value)}"
            )
        if not np.all(np.isfinite(value)):
            raise InputValueError(f"inputs[{key!r}] must contain only finite values, got {value!r}")
        arrays[key] = value.astype(np.float64).reshape(size, 1)
    lrate = check_nonnegative_float("inputs['lrate']", inputs["lrate"])
    return np.asarray(X, dtype=np.float64), arrays["y"], arrays["weight"], lrate


def _gamma(k: int, u: float) -> float:
    """Higham's ``γ_k = k u / (1 - k u)``: the relative error of ``k`` roundings, ``k u < 1``."""
    return k * u / (1 - k * u)


# NOTE [forward error bound]
# Exact inputs X (m×n), y, w, λ = lrate (float64, as in the case files); exact results
#   r = y - X w,   g = -(2/m) Xᵀ r,   w⁺ = w - λ g,   L = mean(r²).
# A computation at unit roundoff u (Higham, "Accuracy and Stability of Numerical Algorithms",
# §2.2 and §3.1) rounds every input and every operation: fl(a ∘ b) = (a ∘ b)(1 + δ), |δ| <= u, and
# k roundings on one term multiply it by (1 + θ_k), |θ_k| <= γ_k = k u / (1 - k u). Sums of k terms
# in ANY order or tree (recursive, pairwise, blocked, SIMD lanes, threads, with or without FMA)
# give each term at most k - 1 additions, so the bounds below hold for every kernel. All |·| are
# elementwise; a_i = |y_i| + Σ_j |X_ij| |w_j| is the size of what cancels in r_i.
#  1. Residual: rounding y (1) and X, w (2) to the working dtype, the n products and n additions
#     of the (n+1)-term inner product y_i - X_i·w:  |r̂_i - r_i| <= ρ_i = γ_{n+3} a_i.
#  2. Step s = λ g as computed, in any association of its scalar factors: each term X_ij r̂_i of
#     the m-term sum sees at most the roundings of X_ij, λ and 2/m (3), its product (1), m - 1
#     additions and the scalings by 2/m and λ (2), so with S = λ (2/m) |X|ᵀ|r|:
#       |ŝ_j - s_j| <= σ_j = λ (2/m) [γ_{m+5} (|X|ᵀ|r|)_j + (1 + γ_{m+5}) (|X|ᵀ ρ)_j].
#     (torch's nn.MSELoss backward scales each (ŷ_i - y_i) by 2/m before Xᵀ: the same count.)
#  3. Update w⁺ = fl(ŵ - ŝ), |ŵ - w| <= u |w|, |ŵ - ŝ| <= (1 + u)|w| + S + σ:
#       |ŵ⁺_j - w⁺_j| <= (1 + u) σ_j + u (2 + u) |w_j| + u S_j.
#  4. Loss L̂ = fl(mean(r̂²)): square (1), m - 1 additions, the division by m or a product with a
#     rounded 1/m (2), and |r̂_i² - r_i²| <= ρ_i (2|r_i| + ρ_i):
#       |L̂ - L| <= (1/m) Σ_i [γ_{m+2} (|r_i| + ρ_i)² + ρ_i (2 |r_i| + ρ_i)].
# The exact |r| is not known: |r| <= |r̃| + γ_{n+1}(u₆₄) a, with r̃ computed here in float64.
# The expected value was itself computed in float64 on another machine, so the tolerance is the
# bound at the submission's u plus the bound at u₆₄ (input rounding included in both, harmless),
# times SAFETY_FACTOR = 2 for the float64 evaluation of the bound itself. Underflow is ignored
# (the case inputs are O(1) with 4 decimals); when k u >= 1 (e.g. bfloat16 with m >= 251) no
# worst-case bound exists and the tolerance is infinite. A mistake changes the step or the loss
# by a factor (2, m, λ, ...) or by a whole step, far outside a bound of order (m + n) u times the
# conditioning (tests/grade/test_grade_tolerance.py checks both sides).
def _bound(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, lrate: float, u: float
) -> tuple[np.ndarray, float]:
    """The worst-case error of ``new_weight`` (n, 1) and ``mse`` computed at unit roundoff u."""
    m, n = X.shape
    if (m + 5) * u >= 1 or (n + 3) * u >= 1:
        return np.full((n, 1), math.inf), math.inf
    abs_X = np.abs(X)
    a = np.abs(y) + abs_X @ np.abs(w)
    r = np.abs(y - X @ w) + _gamma(n + 1, FLOAT64_ROUNDOFF) * a
    rho = _gamma(n + 3, u) * a
    scale = lrate * 2.0 / m
    gamma_step = _gamma(m + 5, u)
    big_s = scale * (abs_X.T @ r)
    sigma = gamma_step * big_s + scale * (1 + gamma_step) * (abs_X.T @ rho)
    weight = (1 + u) * sigma + u * (2 + u) * np.abs(w) + u * big_s
    loss = np.mean(_gamma(m + 2, u) * (r + rho) ** 2 + rho * (2 * r + rho))
    return weight, float(loss)


def linear_step_tolerance(inputs: Mapping[str, Any], u: float) -> dict[str, np.ndarray]:
    """Absolute tolerances of ``gradient_step(_onefeature)``'s outputs computed at roundoff ``u``.

    ``inputs`` holds ``"X"`` (or ``"x"``) of shape (m, n), ``"y"`` (m values), ``"weight"``
    (n values; 0-d for one feature) and ``"lrate"`` >= 0, as in the case files; ``u`` in (0, 1)
    is the unit roundoff of the submission's dtype (:func:`unit_roundoff`). Returns
    ``{"new_weight": array shaped like the weight, "mse": 0-d array}``: a correct value ``v``
    satisfies ``|v - expected| <= tolerance`` elementwise, on any machine (NOTE [forward error
    bound]).
    """
    u = _check_u(u)
    X, y, w, lrate = _linear_inputs(inputs)
    weight, loss = _bound(X, y, w, lrate, u)
    weight_64, loss_64 = _bound(X, y, w, lrate, FLOAT64_ROUNDOFF)
    shape = np.shape(inputs["weight"])
    return {
        "new_weight": (SAFETY_FACTOR * (weight + weight_64)).reshape(shape),
        "mse": np.asarray(SAFETY_FACTOR * (loss + loss_64)),
    }
