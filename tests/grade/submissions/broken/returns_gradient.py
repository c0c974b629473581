"""Broken: returns the gradient where the new weight belongs."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    return -2 / len(X) * X.T @ r, np.mean(r**2)
