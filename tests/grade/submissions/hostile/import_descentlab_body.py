"""Hostile: ``import descentlab`` inside the function, then walks to the reference.

Old grader: works, every case passes. Sandboxed grader: ModuleNotFoundError in every call, so
every case is an error (the report stays complete: the load itself succeeds).
"""

import importlib


def _reference(name):
    import descentlab

    backend = importlib.import_module(descentlab.__name__ + ".linear.numpy_backend")
    print("HOSTILE-LEAK: import descentlab worked inside the call")
    return getattr(backend, name)


def gradient_step_onefeature(x, y, weight, lrate):
    return _reference("gradient_step_onefeature")(x, y, weight, lrate)


def gradient_step(X, y, weight, lrate):
    return _reference("gradient_step")(X, y, weight, lrate)
