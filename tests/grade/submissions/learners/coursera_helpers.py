"""Learner, correct: separate compute_cost / compute_gradient helpers with np.matmul."""

import numpy as np


def compute_cost(X, y, w):
    m = X.shape[0]
    predictions = np.matmul(X, w)
    sq_errors = (predictions - y) ** 2
    return np.sum(sq_errors) / m


def compute_gradient(X, y, w):
    m = X.shape[0]
    predictions = np.matmul(X, w)
    return (2 / m) * np.matmul(X.T, predictions - y)


def gradient_step(X, y, weight, lrate):
    cost = compute_cost(X, y, weight)
    dj_dw = compute_gradient(X, y, weight)
    weight = weight - lrate * dj_dw
    return weight, cost


def gradient_step_onefeature(x, y, weight, lrate):
    w = weight.reshape(1, 1)
    cost = compute_cost(x, y, w)
    w = w - lrate * compute_gradient(x, y, w)
    return w.reshape(weight.shape), cost
