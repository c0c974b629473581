"""Broken: one feature, gradient without 2/m."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    r = y - x * weight
    return weight - lrate * -np.sum(x * r), np.mean(r**2)
