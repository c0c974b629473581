"""Broken: reports the loss at the new weight."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    grad = -2 / len(X) * X.T @ (y - X @ weight)
    new_weight = weight - lrate * grad
    return new_weight, np.mean((y - X @ new_weight) ** 2)
