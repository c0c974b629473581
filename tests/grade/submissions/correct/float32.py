"""Correct: computes and returns float32 (accepted: any floating dtype within tolerance)."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    x, y = x.astype(np.float32), y.astype(np.float32)
    w = np.float32(weight)
    r = y - x * w
    grad = np.float32(-2.0) * np.mean(x * r)
    return w - np.float32(lrate) * grad, np.mean(r * r)


def gradient_step(X, y, weight, lrate):
    X, y, w = X.astype(np.float32), y.astype(np.float32), weight.astype(np.float32)
    r = y - X @ w
    grad = np.float32(-2.0 / X.shape[0]) * (X.T @ r)
    return w - np.float32(lrate) * grad, np.mean(r * r)
