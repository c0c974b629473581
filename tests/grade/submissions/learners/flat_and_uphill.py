"""Learner, broken: adds the gradient (uphill) and flattens the new weight to (n,)."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    residual = y - X @ weight
    grad = -2 * X.T @ residual / len(y)
    new_weight = (weight + lrate * grad).flatten()
    return new_weight, np.mean(residual**2)
