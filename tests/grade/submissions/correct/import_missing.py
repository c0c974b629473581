"""Correct step in a file that imports a package the grader lacks (and does not use it): the
import is skipped with a note."""

import numpy as np
import tensorflow_descentlab_missing as tf  # noqa: F401


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    return weight - lrate * (-2 / len(X)) * X.T @ r, np.mean(r**2)
