"""Broken: computes the new weight but returns the old one."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    r = y - x * weight
    new_weight = weight - lrate * np.mean(-2 * x * r)  # noqa: F841
    return weight, np.mean(r**2)
