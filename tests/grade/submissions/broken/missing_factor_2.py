"""Broken: the gradient lacks its factor 2 (np.dot style)."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    errors = y - np.dot(X, weight)
    gradient = -np.dot(X.T, errors) / len(y)
    return weight - lrate * gradient, np.mean(errors**2)
