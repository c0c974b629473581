"""Hostile: replaces ``np.array_equal`` so that a check for in-place changes made with it sees
none, then updates the weight in place (``weight -= ...``) and returns it.

The values are right; the in-place update is the bug the grader must report (modified_input).
Old grader: the worker checks for in-place changes with ``np.array_equal`` in the learner's own
process; the patch hides the change and every case passes. Sandboxed grader: the arguments are
compared in the grader's process; every case fails with modified_input.
"""

import numpy as np

np.array_equal = lambda *args, **kwargs: True


def gradient_step_onefeature(x, y, weight, lrate):
    residual = y - x * weight
    mse = np.mean(residual**2)
    weight -= lrate * np.mean(-2 * x * residual)
    return weight, mse


def gradient_step(X, y, weight, lrate):
    residual = y - X @ weight
    mse = np.mean(residual**2)
    weight -= lrate * (-2 / len(X)) * (X.T @ residual)
    return weight, mse
