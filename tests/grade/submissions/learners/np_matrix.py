"""Learner, correct: np.matrix arithmetic, converted back to arrays before returning."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    X = np.matrix(X)
    y = np.matrix(y)
    w = np.matrix(weight)
    m = X.shape[0]
    residual = y - X * w
    cost = (residual.T * residual) / m
    grad = -2 / m * X.T * residual
    w = w - lrate * grad
    return np.asarray(w), cost.item()


def gradient_step_onefeature(x, y, weight, lrate):
    new_w, cost = gradient_step(x, y, np.reshape(weight, (1, 1)), lrate)
    return new_w.reshape(()), cost
