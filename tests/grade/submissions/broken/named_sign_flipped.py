"""Broken: a differently named step (graded as file.py:update) that steps uphill."""

import numpy as np


def update(X, y, weight, lrate):
    r = y - X @ weight
    return weight + lrate * (-2 / len(X)) * X.T @ r, np.mean(r**2)
