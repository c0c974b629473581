"""Learner, broken: the one-feature formula reused for many features, so every weight gets the
same gradient (the mean over all entries of X * error)."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    error = y - weight * x
    grad = -2 * np.mean(x * error)
    return weight - lrate * grad, np.mean(error**2)


def gradient_step(X, y, weight, lrate):
    error = y - X @ weight
    grad = -2 * np.mean(X * error)
    return weight - lrate * grad, np.mean(error**2)
