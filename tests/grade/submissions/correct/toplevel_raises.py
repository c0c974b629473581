"""Correct step in a script that loads a data file the grader does not have: its definitions are
graded, with a note."""

import numpy as np

DATA = np.loadtxt("my-training-data.csv")


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    return weight - lrate * (-2 / len(X)) * X.T @ r, np.mean(r**2)
