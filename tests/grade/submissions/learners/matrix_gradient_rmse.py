"""Learner, broken: np.matrix; returns the gradient instead of the new weight, and the RMSE as a
1x1 matrix."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    X = np.matrix(X)
    y = np.matrix(y)
    w = np.matrix(weight)
    m = X.shape[0]
    e = y - X * w
    grad = (-2 / m) * X.T * e
    w_new = w - lrate * grad  # noqa: F841
    rmse = np.sqrt(e.T * e / m)
    return grad, rmse
