"""Broken: turns the caller's y into the residual in place (right values, wrong contract)."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    y -= x * weight
    return weight - lrate * np.mean(-2 * x * y), np.mean(y**2)
