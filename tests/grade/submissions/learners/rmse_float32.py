"""Learner, broken: float32 throughout, and the loss is the RMSE."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    X = X.astype(np.float32)
    y = y.astype(np.float32)
    w = weight.astype(np.float32)
    err = y - X @ w
    rmse = np.sqrt(np.mean(err**2))
    grad = -2 * X.T @ err / np.float32(len(X))
    return w - np.float32(lrate) * grad, rmse.item()


def gradient_step_onefeature(x, y, weight, lrate):
    x = x.astype(np.float32)
    y = y.astype(np.float32)
    w = weight.astype(np.float32)
    err = y - w * x
    grad = np.float32(-2) * np.mean(x * err)
    return w - np.float32(lrate) * grad, np.sqrt(np.mean(err**2)).item()
