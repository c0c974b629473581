"""Learner, correct: accumulates the gradient and the loss in a loop over the samples."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    m = len(x)
    w = weight.item()
    grad = 0.0
    cost = 0.0
    for i in range(m):
        xi = x[i][0]
        yi = y[i][0]
        error = yi - w * xi
        grad += -2 * xi * error
        cost += error**2
    grad = grad / m
    cost = cost / m
    new_w = w - lrate * grad
    return np.array(new_w), cost


def gradient_step(X, y, weight, lrate):
    m, n = X.shape
    grad = np.zeros((n, 1))
    cost = 0.0
    for i in range(m):
        xi = X[i].reshape(n, 1)
        error = y[i, 0] - (xi.T @ weight).item()
        grad += -2 * xi * error
        cost += error**2
    grad /= m
    return weight - lrate * grad, cost / m
