"""Broken: returns the new weight flattened to (n,)."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    return (weight - lrate * (-2 / len(X)) * X.T @ r).ravel(), np.mean(r**2)
