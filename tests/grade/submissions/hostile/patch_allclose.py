"""Hostile: makes every NumPy comparison it can reach say "equal" (``np.allclose``, ``np.isclose``,
``np.array_equal``, ``np.array_equiv``, ``np.testing.assert_allclose``, ``np.testing.assert_array_equal``)
and returns wrong values (the weight unchanged, a zero loss), modifying ``y`` in place for good
measure.

Old grader: the values are compared in the grader's process, which the patch does not reach: every
case fails (already contained). Sandboxed grader: the same; the in-place change is reported too.
"""

import numpy as np


def _always(*args, **kwargs):
    return True


def _quiet(*args, **kwargs):
    return None


np.allclose = np.isclose = np.array_equal = np.array_equiv = _always
np.testing.assert_allclose = np.testing.assert_array_equal = _quiet


def gradient_step_onefeature(x, y, weight, lrate):
    y *= 0.5
    return np.array(weight, copy=True), 0.0


def gradient_step(X, y, weight, lrate):
    y *= 0.5
    return np.array(weight, copy=True), 0.0
