"""Correct: imports a helper module that sits next to it."""

import numpy as np
from corpus_helper import mean_squared_error


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    return weight - lrate * (-2 / len(X)) * (X.T @ r), mean_squared_error(r)


def gradient_step_onefeature(x, y, weight, lrate):
    r = y - x * weight
    return weight - lrate * np.mean(-2 * x * r), mean_squared_error(r)
