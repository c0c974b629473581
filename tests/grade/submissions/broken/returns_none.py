"""Broken: forgets the return statement."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    new_weight = weight - lrate * (-2 / len(X)) * X.T @ r  # noqa: F841
    mse = np.mean(r**2)  # noqa: F841
