"""Hostile: imports the reference implementation and hands back its values.

Old grader: the worker shares the grader's sys.path, so the import works and every case passes.
Sandboxed grader: the package is not visible, the import fails, the stub gets every case wrong.
"""

import numpy as np

try:
    from descentlab.linear.numpy_backend import gradient_step as _reference_step
    from descentlab.linear.numpy_backend import gradient_step_onefeature as _reference_one
except Exception:
    _reference_step = _reference_one = None


def _stub(weight):
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step_onefeature(x, y, weight, lrate):
    if _reference_one is None:
        return _stub(weight)
    print("HOSTILE-LEAK: imported descentlab.linear.numpy_backend")
    return _reference_one(x, y, weight, lrate)


def gradient_step(X, y, weight, lrate):
    if _reference_step is None:
        return _stub(weight)
    print("HOSTILE-LEAK: imported descentlab.linear.numpy_backend")
    return _reference_step(X, y, weight, lrate)
