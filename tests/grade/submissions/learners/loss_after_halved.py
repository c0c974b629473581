"""Learner, broken: the loss is taken after the update, and halved (1/(2m))."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    m = len(y)
    grad = -(2 / m) * X.T @ (y - X @ weight)
    weight = weight - lrate * grad
    loss = np.sum((y - X @ weight) ** 2) / (2 * m)
    return weight, loss


def gradient_step_onefeature(x, y, weight, lrate):
    m = len(y)
    grad = -(2 / m) * np.sum(x * (y - weight * x))
    weight = weight - lrate * grad
    loss = np.sum((y - weight * x) ** 2) / (2 * m)
    return weight, loss
