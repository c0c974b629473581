"""Hostile: patches NumPy's equality at the roots: ``ndarray.__eq__``/``__ne__`` through the type's
real dict (``gc.get_referents``), and the code object of ``array_equal``'s implementation, so every
alias of it answers True; then updates the weight in place and returns it (right values).

Old grader: the worker's in-place check calls the patched ``array_equal``; every case passes.
Sandboxed grader: the arguments are compared in the grader's process; every case fails with
modified_input.
"""

import contextlib
import gc

import numpy as np


def _true(a1, a2, equal_nan=False):
    return True


with contextlib.suppress(Exception):
    np.array_equal._implementation.__code__ = _true.__code__
with contextlib.suppress(Exception):
    slots = gc.get_referents(np.ndarray.__dict__)[0]
    slots["__eq__"] = lambda self, other: np.ones(np.shape(self), dtype=bool)
    slots["__ne__"] = lambda self, other: np.zeros(np.shape(self), dtype=bool)


def gradient_step_onefeature(x, y, weight, lrate):
    residual = y - x * weight
    mse = np.mean(residual**2)
    weight -= lrate * np.mean(-2 * x * residual)
    return weight, mse


def gradient_step(X, y, weight, lrate):
    residual = y - X @ weight
    mse = np.mean(residual**2)
    weight -= lrate * (-2 / len(X)) * (X.T @ residual)
    return weight, mse
