"""Correct: np.dot and explicit transposes."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    m = len(y)
    predictions = np.dot(x, np.array([[weight]])).reshape(-1, 1)
    errors = y - predictions
    loss = np.dot(errors.T, errors).item() / m
    gradient = -2 * np.dot(x.T, errors).item() / m
    return np.float64(weight - lrate * gradient), loss


def gradient_step(X, y, weight, lrate):
    m = len(y)
    errors = y - np.dot(X, weight)
    loss = np.dot(errors.T, errors)[0, 0] / m
    gradient = -2 * np.dot(X.T, errors) / m
    return weight - lrate * gradient, loss
