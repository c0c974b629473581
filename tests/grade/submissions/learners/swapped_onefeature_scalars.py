"""Learner, broken: one feature, returns (mse, new_weight) in the wrong order."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    x = x.flatten()
    y = y.flatten()
    w = float(weight)
    residual = y - w * x
    mse = float(np.mean(residual**2))
    dw = -2 * float(np.mean(x * residual))
    return mse, w - lrate * dw
