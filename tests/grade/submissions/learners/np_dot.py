"""Learner, correct: np.dot everywhere, residual written as prediction minus target."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    m = x.shape[0]
    y_hat = np.dot(x, weight.reshape(1, 1))
    error = y_hat - y
    mse = np.dot(error.T, error)[0, 0] / m
    gradient = (2 / m) * np.dot(x.T, error)[0, 0]
    new_weight = weight - lrate * gradient
    return new_weight, mse


def gradient_step(X, y, weight, lrate):
    m = X.shape[0]
    y_hat = np.dot(X, weight)
    error = y_hat - y
    mse = np.sum(error**2) / m
    gradient = (2 / m) * np.dot(X.T, error)
    return weight - lrate * gradient, mse
