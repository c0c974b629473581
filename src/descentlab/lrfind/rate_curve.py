"""The numbers of a learning-rate range test: the ramp, the smoothed loss, the suggested rate.

NumPy only, so the rule can be read and tested apart from any model.

NOTE [suggestion rule]: the suggested rate is the one where the loss falls fastest relative to
its size: the most negative slope ``d log(L) / d log(lr)`` (central differences, one-sided at the
ends) of the *two-way* smoothed loss ``L`` (:func:`smooth_two_way`), looking only at the steps up
to its minimum.

- Why steepest descent and not "the rate at the minimum loss divided by 10": the minimum sits
  where rates are already large enough to stop helping (a few steps from blowing up) and the
  factor 10 is a guess; the steepest fall marks rates that make the fastest progress while the
  loss still responds smoothly, and it needs no constant.
- Why two-way smoothing: the one-pass moving average that the stop rule watches lags about
  β/(1 − β) steps behind the losses (9 steps at β = 0.9), which on a fast ramp is a factor of ten
  or more in rate; its steepest fall can sit past the stability bound. Running the same average
  forwards and then backwards cancels the lag (as a zero-phase filter does).
- Why the log of the loss: a fall from 0.70 to 0.65 in the noise at the start of a ramp is 7 %,
  the same fall near 0.1 is half the loss; measured relatively the slopes compare along the
  whole curve, as on the log-log plot. Where the curve is not positive the plain slope is used.

A ramp whose smoothed loss never falls below its first value has no suggestion (``None``): every
rate tried was too small or too large to be useful. The tests check on least-squares problems
that the suggestion stays below the stability bound 2/λmax and that training at it converges.
"""

from __future__ import annotations

import numpy as np

from descentlab.validation import (
    InputValueError,
    check_int,
    check_positive_float,
    check_unit_interval,
)

__all__ = ["exponential_ramp", "smooth", "smooth_two_way", "suggest_lrate"]


def exponential_ramp(min_lr: float, max_lr: float, num_steps: int) -> np.ndarray:
    """``num_steps`` rates from ``min_lr`` to ``max_lr``, each a constant factor above the last.

    ``lr_i = min_lr · (max_lr / min_lr) ** (i / (num_steps − 1))``, so the first is exactly
    ``min_lr`` and the last exactly ``max_lr``.
    """
    min_lr = check_positive_float("min_lr", min_lr)
    max_lr = check_positive_float("max_lr", max_lr)
    num_steps = check_int("num_steps", num_steps, minimum=2)
    if max_lr <= min_lr:
        raise InputValueError(f"max_lr must be greater than min_lr ({min_lr!r}), got {max_lr!r}")
    rates = min_lr * (max_lr / min_lr) ** (np.arange(num_steps) / (num_steps - 1))
    rates[0], rates[-1] = min_lr, max_lr
    return rates


def smooth(losses: np.ndarray, beta: float) -> np.ndarray:
    r"""Exponentially weighted average with bias correction.

    .. math::

        a_i = \beta a_{i-1} + (1 - \beta) \ell_i, \quad a_{-1} = 0, \qquad
        s_i = a_i / (1 - \beta^{i+1})

    Without the correction the first values would be pulled towards 0 (the start of the
    average); with it ``s_0 = ℓ_0``. ``beta = 0`` returns the losses unchanged.
    """
    beta = check_unit_interval("smoothing", beta)
    losses = np.asarray(losses, dtype=np.float64)
    smoothed = np.empty_like(losses)
    average = 0.0
    for i, loss in enumerate(losses.tolist()):
        average = beta * average + (1 - beta) * loss
        smoothed[i] = average / (1 - beta ** (i + 1))
    return smoothed


def smooth_two_way(losses: np.ndarray, beta: float) -> np.ndarray:
    """:func:`smooth` forwards, then the result smoothed backwards: the same weights, no lag.

    Only the finite leading part of ``losses`` is smoothed (a backward pass would carry a
    non-finite last loss into every value); the entries after it are NaN.
    """
    losses = np.asarray(losses, dtype=np.float64)
    finite = np.isfinite(losses)
    count = len(losses) if finite.all() else int(np.argmin(finite))
    result = np.full(losses.shape, np.nan)
    forward = smooth(losses[:count], beta)
    result[:count] = smooth(forward[::-1], beta)[::-1]
    return result


def suggest_lrate(lrates: np.ndarray, smoothed: np.ndarray) -> float | None:
    """The rate of steepest relative descent of a smoothed loss curve.

    ``smoothed`` is the two-way smoothed loss (:func:`smooth_two_way`); only its finite leading
    part counts. See NOTE [suggestion rule].
    """
    lrates = np.asarray(lrates, dtype=np.float64)
    smoothed = np.asarray(smoothed, dtype=np.float64)
    if lrates.shape != smoothed.shape or lrates.ndim != 1:
        raise InputValueError(
            f"lrates and smoothed must be 1-D of one length, got shapes {lrates.shape} and "
            f"{smoothed.shape}"
        )
    finite = np.isfinite(smoothed)
    count = int(np.argmin(finite)) if not finite.all() else len(smoothed)
    if count < 2:
        return None
    best = int(np.argmin(smoothed[:count]))
    if best == 0 or not smoothed[best] < smoothed[0]:
        return None
    window = slice(0, best + 1)
    curve = smoothed[window]
    height = np.log(curve) if np.all(curve > 0) else curve
    slope = np.gradient(height, np.log(lrates[window]))
    return float(lrates[window][int(np.argmin(slope))])
