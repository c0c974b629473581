"""Learner, broken: the gradient written without its minus sign and without the 2."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    gradient = np.mean(x * (y - weight * x))
    return weight - lrate * gradient, np.mean((y - weight * x) ** 2)


def gradient_step(X, y, weight, lrate):
    m = len(X)
    gradient = X.T @ (y - X @ weight) / m
    return weight - lrate * gradient, np.mean((y - X @ weight) ** 2)
