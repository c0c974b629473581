"""Learner, correct: casts everything to float32 first (less memory, GPU habits)."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    x = x.astype(np.float32)
    y = y.astype(np.float32)
    w = np.float32(weight)
    err = y - w * x
    grad = np.float32(-2.0) * np.mean(x * err)
    return w - np.float32(lrate) * grad, np.mean(err * err)


def gradient_step(X, y, weight, lrate):
    X = X.astype(np.float32)
    y = y.astype(np.float32)
    w = weight.astype(np.float32)
    err = y - X @ w
    grad = np.float32(-2.0 / len(X)) * (X.T @ err)
    return w - np.float32(lrate) * grad, np.mean(err**2)
