"""Broken: the loss is the sum of squared errors."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    return weight + lrate * 2 / len(X) * X.T @ r, np.sum(r**2)
