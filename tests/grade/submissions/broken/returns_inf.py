"""Broken: divides by m - m, so the new weight is infinite."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    m = X.shape[0]
    r = y - X @ weight
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = -2 * (X.T @ r) / (m - m)
    return weight - lrate * grad, np.mean(r**2)
