"""Broken: the function has a name the grader does not know."""

import numpy as np


def gradient_descent_step(X, y, weight, lrate):
    r = y - X @ weight
    return weight - lrate * (-2 / len(X)) * X.T @ r, np.mean(r**2)
