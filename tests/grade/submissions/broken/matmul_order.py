"""Broken: multiplies in the wrong order, so NumPy raises on every case."""

import numpy as np


def gradient_step(X, y, weight, lrate):
    predictions = np.dot(weight, X)
    r = y - predictions
    return weight, np.mean(r**2)
