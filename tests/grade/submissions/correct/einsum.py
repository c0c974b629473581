"""Correct: einsum everywhere."""

import numpy as np


def gradient_step_onefeature(x, y, weight, lrate):
    r = y[:, 0] - x[:, 0] * weight
    grad = -2 * np.einsum("i,i->", x[:, 0], r) / r.size
    return weight - lrate * grad, np.einsum("i,i->", r, r) / r.size


def gradient_step(X, y, weight, lrate):
    r = y - np.einsum("ij,jk->ik", X, weight)
    grad = -2 * np.einsum("ij,ik->jk", X, r) / X.shape[0]
    return weight - lrate * grad, np.einsum("ik,ik->", r, r) / X.shape[0]
