"""Losses of SPEC §1 in NumPy: squared error, MSE, 0/1 loss and cross-entropies.

Each takes labels first and predictions second, as the formulas are written.
"""

from __future__ import annotations

import numpy as np

from descentlab.validation import InputTypeError, InputValueError, check_finite_array, describe

__all__ = ["binary_cross_entropy", "cross_entropy", "mse", "squared_error", "zero_one_loss"]


def _pair(y: np.ndarray, y_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    for name, value in (("y", y), ("y_hat", y_hat)):
        if not isinstance(value, np.ndarray):
            raise InputTypeError(f"{name} must be a NumPy array, got {describe(value)}")
        if value.size == 0:
            raise InputValueError(f"{name} must not be empty, got shape {value.shape}")
    if y.shape != y_hat.shape:
        raise InputValueError(
            f"y and y_hat must have the same shape, got {y.shape} and {y_hat.shape}"
        )
    return y, y_hat


def squared_error(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    """Per-sample ``(y - ŷ)²``."""
    y, y_hat = _pair(y, y_hat)
    return (y - y_hat) ** 2


def mse(y: np.ndarray, y_hat: np.ndarray) -> float:
    """Mean squared error, the cost of linear regression."""
    return float(np.mean(squared_error(y, y_hat)))


def zero_one_loss(y: np.ndarray, y_hat: np.ndarray) -> float:
    """Fraction of samples with ``ŷ != y`` (0 iff every label is predicted exactly)."""
    y, y_hat = _pair(y, y_hat)
    return float(np.mean(y != y_hat))


def binary_cross_entropy(y: np.ndarray, p: np.ndarray) -> float:
    """Mean ``-[y log p + (1 - y) log(1 - p)]`` for labels in {0, 1} and probabilities p."""
    y, p = _pair(y, p)
    check_finite_array("p", p)
    if not np.all((y == 0) | (y == 1)):
        raise InputValueError("y must hold labels 0 or 1, got other values")
    if np.any((p < 0) | (p > 1)):
        raise InputValueError(
            f"p must hold probabilities in [0, 1], got min {p.min()} max {p.max()}"
        )
    tiny = np.finfo(np.result_type(p, np.float32)).tiny
    return float(
        -np.mean(y * np.log(np.maximum(p, tiny)) + (1 - y) * np.log(np.maximum(1 - p, tiny)))
    )


def cross_entropy(labels: np.ndarray, logits: np.ndarray) -> float:
    """Mean multi-class cross-entropy of integer ``labels`` (m,) against ``logits`` (m, k).

    Computed as ``logsumexp(z) - z[label]`` so large logits do not overflow.
    """
    if not isinstance(logits, np.ndarray) or logits.ndim != 2 or logits.size == 0:
        raise InputValueError(
            f"logits must be a non-empty 2-D array (m, k), got {describe(logits)}"
        )
    if not isinstance(labels, np.ndarray) or labels.shape != (logits.shape[0],):
        raise InputValueError(
            f"labels must have shape ({logits.shape[0]},) to match logits, got {describe(labels)}"
        )
    if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= logits.shape[1]:
        raise InputValueError(
            f"labels must be integers in [0, {logits.shape[1]}), got {describe(labels)}"
        )
    check_finite_array("logits", logits)
    top = logits.max(axis=1, keepdims=True)
    log_norm = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return float(np.mean(log_norm - logits[np.arange(len(labels)), labels]))
