"""Learner, broken: one update per sample (with the 1/m kept) and the loss after the loop."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    m = len(y)
    w = np.copy(weight)
    for i in range(m):
        x_i = X[i].reshape(-1, 1)
        y_hat = (x_i.T @ w).item()
        w = w - lrate * (-2 / m) * x_i * (y[i, 0] - y_hat)
    loss = np.mean((y - X @ w) ** 2)
    return w, loss
