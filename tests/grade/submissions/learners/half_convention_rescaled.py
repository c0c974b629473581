"""Learner, correct: works with the 1/(2m) convention, then converts to the MSE and its gradient."""

import numpy as np


def cost_function(X, y, w):
    m = len(y)
    return (1 / (2 * m)) * np.sum((X @ w - y) ** 2)


def gradient_step(X, y, weight, lrate):
    m = len(y)
    J = cost_function(X, y, weight)
    # the convention's gradient is (1/m) X^T (Xw - y); the MSE's is twice that
    grad = 2 * (1 / m) * X.T @ (X @ weight - y)
    return weight - lrate * grad, 2 * J


def gradient_step_onefeature(x, y, weight, lrate):
    w, J = gradient_step(x, y, weight.reshape(1, 1), lrate)
    return w[0, 0], J
