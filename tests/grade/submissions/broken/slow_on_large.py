"""Broken: fine on small cases, sleeps on large ones (m >= 100)."""

import time

import numpy as np


def gradient_step(X, y, weight, lrate):
    if X.shape[0] >= 100:
        time.sleep(60)
    r = y - X @ weight
    return weight - lrate * (-2 / len(X)) * X.T @ r, np.mean(r**2)
