"""Correct step in a script whose top level never ends: its definitions are graded, with a note."""

import numpy as np

while True:
    pass


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    return weight - lrate * (-2 / len(X)) * X.T @ r, np.mean(r**2)
