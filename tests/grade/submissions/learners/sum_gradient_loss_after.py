"""Learner, broken: the gradient is a sum over the samples (no 1/m), and the loss is taken after
the update."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    grad = -2 * X.T.dot(y - X.dot(weight))
    weight = weight - lrate * grad
    mse = np.mean((y - X.dot(weight)) ** 2)
    return weight, mse


def gradient_step_onefeature(x, y, weight, lrate):
    grad = -2 * np.sum(x * (y - weight * x))
    weight = weight - lrate * grad
    return weight, np.mean((y - weight * x) ** 2)
