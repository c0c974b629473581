"""Learner, broken: loops; the loss is half the sum of squared errors."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    m = x.shape[0]
    w = weight.item()
    loss, grad = 0.0, 0.0
    for i in range(m):
        err = y[i, 0] - w * x[i, 0]
        loss += 0.5 * err**2
        grad += -2 * x[i, 0] * err / m
    return np.array(w - lrate * grad), loss


def gradient_step(X, y, weight, lrate):
    m, n = X.shape
    loss = 0.0
    grad = np.zeros_like(weight)
    for i in range(m):
        err = y[i, 0] - X[i] @ weight[:, 0]
        loss += 0.5 * err**2
        for j in range(n):
            grad[j, 0] += -2 * X[i, j] * err / m
    return weight - lrate * grad, loss
