"""Broken: updates the caller's weight in place (right values, wrong contract)."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    mse = np.mean(r**2)
    weight -= lrate * (-2 / len(X)) * X.T @ r
    return weight, mse
