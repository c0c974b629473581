"""Learner, broken: the textbook 1/(2m) cost and its gradient, with the cost after the update."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    m = X.shape[0]
    h = X @ weight
    gradient = (1 / m) * X.T @ (h - y)
    weight = weight - lrate * gradient
    cost = (1 / (2 * m)) * np.sum((X @ weight - y) ** 2)
    return weight, cost
