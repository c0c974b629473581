"""Learner, broken: computes the gradient, then subtracts the weight instead (a typo)."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    m = X.shape[0]
    error = X @ weight - y
    gradient = 2 / m * X.T @ error
    print("gradient norm:", np.linalg.norm(gradient))
    new_weight = weight - lrate * weight
    mse = np.mean(error**2)
    return new_weight, mse


def gradient_step_onefeature(x, y, weight, lrate):
    error = x * weight - y
    gradient = 2 * np.mean(x * error)  # noqa: F841
    return weight - lrate * weight, np.mean(error**2)
