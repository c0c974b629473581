"""Broken: one feature, but the new weight is a (1, 1) matrix."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    r = y - x * weight
    return weight - lrate * (-2 / len(x)) * (x.T @ r), np.mean(r**2)
