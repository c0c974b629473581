"""Broken twice: uphill step and a summed loss (both diagnosed)."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    r = y - x * weight
    return weight + lrate * np.mean(-2 * x * r), np.sum(r**2)


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    return weight + lrate * (-2 / len(X)) * X.T @ r, np.sum(r**2)
