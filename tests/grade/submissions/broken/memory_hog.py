"""Broken: asks for 80 GB."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    cache = np.ones((100_000, 100_000))
    r = y - X @ weight + cache[0, 0] - 1
    return weight - lrate * (-2 / len(X)) * X.T @ r, np.mean(r**2)
