"""Broken: returns the new weight as a nested list."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    return (weight - lrate * (-2 / len(X)) * X.T @ r).tolist(), np.mean(r**2)
