"""Learner, broken: updates the weight after every sample (SGD) instead of one batch step."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    w = float(weight)
    for xi, yi in zip(x[:, 0], y[:, 0], strict=True):
        w = w - lrate * (-2 * xi * (yi - w * xi))
    mse = np.mean((y - x * weight) ** 2)
    return w, mse


def gradient_step(X, y, weight, lrate):
    w = weight.copy()
    m = X.shape[0]
    for i in range(m):
        xi = X[i : i + 1]
        yi = y[i : i + 1]
        error = yi - xi @ w
        grad = -2 * xi.T @ error
        w = w - lrate * grad
    mse = np.mean((y - X @ weight) ** 2)
    return w, mse
