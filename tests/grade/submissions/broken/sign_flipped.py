"""Broken: steps uphill (w + lrate * grad)."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    grad = -2 / X.shape[0] * X.T @ r
    return weight + lrate * grad, np.mean(r**2)
