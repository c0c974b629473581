"""Broken: a loop that never ends."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    w = weight
    while True:
        w = w - lrate * (-2 / len(X)) * X.T @ (y - X @ w)
    return w, np.mean((y - X @ weight) ** 2)
