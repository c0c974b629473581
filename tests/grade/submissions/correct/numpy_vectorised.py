"""Correct: vectorised NumPy, float64."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    residual = y - x * weight
    mse = np.mean(residual**2)
    grad = -2.0 / len(x) * np.sum(x * residual)
    return weight - lrate * grad, mse


def gradient_step(X, y, weight, lrate):
    residual = y - X @ weight
    mse = np.mean(residual**2)
    grad = -2.0 / X.shape[0] * X.T @ residual
    return weight - lrate * grad, mse
