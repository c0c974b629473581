"""Hostile: updates the weight in place, then walks up the call stack (``sys._getframe``) and
applies the same change to every other copy of the weight it finds there (the pristine copies a
worker keeps to detect in-place changes), so the comparison sees no difference.

Old grader: the worker's pristine copies are locals of its ``call`` frame; every case passes.
Sandboxed grader: the copies the grader compares against live in another process; every case
fails with modified_input.
"""

import sys

import numpy as np


def _copies(original):
    frame = sys._getframe(2)
    while frame is not None:
        for value in list(frame.f_locals.values()):
            items = value if isinstance(value, list | tuple) else [value]
            for item in items:
                if (
                    isinstance(item, np.ndarray)
                    and item.shape == original.shape
                    and item.dtype == original.dtype
                    and np.array_equal(item, original)
                ):
                    yield item
        frame = frame.f_back


def _update(weight, step):
    before = weight.copy()
    weight -= step
    for copy in _copies(before):
        if copy is not weight:
            copy[...] = weight
    return weight


def gradient_step_onefeature(x, y, weight, lrate):
    residual = y - x * weight
    mse = np.mean(residual**2)
    return _update(weight, lrate * np.mean(-2 * x * residual)), mse


def gradient_step(X, y, weight, lrate):
    residual = y - X @ weight
    mse = np.mean(residual**2)
    return _update(weight, lrate * (-2 / len(X)) * (X.T @ residual)), mse
