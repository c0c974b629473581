"""Importable learner functions for the grader tests (graded by reference, not by source)."""

from __future__ import annotations

import numpy as np


def gradient_step(X, y, weight, lrate):
    residual = y - X @ weight
    return weight - lrate * (-2 / len(X)) * X.T @ residual, np.mean(residual**2)


def loops_on_m_10(X, y, weight, lrate):
    while X.shape[0] == 10:
        pass
    return gradient_step(X, y, weight, lrate)


def allocates_2_gb(X, y, weight, lrate):
    block = np.ones(250_000_000)
    return gradient_step(X, y, weight + block[:1].reshape(1, 1) - 1, lrate)


def prints_markup(X, y, weight, lrate):
    print("<script>alert('hi')</script>")
    return gradient_step(X, y, weight, lrate)
