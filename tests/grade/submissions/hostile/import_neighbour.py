"""Hostile: copies a classmate. The test puts a correct ``classmate_solution.py`` in the same
folder (as in a folder of a whole class's submissions); this file imports it, or failing that,
reads and runs every other ``.py`` file next to it (its folder found through ``__file__`` and the
grader's command line), and returns the classmate's values.

Old grader: the submission's folder is first on sys.path; every case passes.
Sandboxed grader: the submission's folder is not visible; the stub fails every case.
"""

import contextlib
import glob
import os

import numpy as np


def _folders():
    yield os.path.dirname(os.path.abspath(globals().get("__file__", ".")))
    try:
        with open(f"/proc/{os.getppid()}/cmdline", "rb") as handle:
            argv = handle.read().split(b"\0")
    except OSError:
        argv = []
    for arg in argv:
        if arg.endswith((b".py", b".ipynb")):
            yield os.path.dirname(arg.decode(errors="replace"))


def _looks_like_a_solution(path):
    try:
        with open(path) as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return None
    if "def gradient_step" not in text or "def _classmate" in text:
        return None
    return text


def _classmate():
    with contextlib.suppress(Exception):
        import classmate_solution

        return vars(classmate_solution)
    for folder in dict.fromkeys(_folders()):
        for path in sorted(glob.glob(os.path.join(folder, "*.py"))):
            text = _looks_like_a_solution(path)
            if text is None:
                continue
            namespace = {"__name__": "classmate"}
            try:
                exec(compile(text, path, "exec"), namespace)
            except BaseException:
                continue
            if callable(namespace.get("gradient_step")):
                return namespace
    return {}


_NAMESPACE = _classmate()


def gradient_step_onefeature(x, y, weight, lrate):
    if "gradient_step_onefeature" not in _NAMESPACE:
        return np.array(weight, dtype=float, copy=True), 0.0
    print("HOSTILE-LEAK: copied a classmate's gradient_step_onefeature")
    return _NAMESPACE["gradient_step_onefeature"](x, y, weight, lrate)


def gradient_step(X, y, weight, lrate):
    if "gradient_step" not in _NAMESPACE:
        return np.array(weight, dtype=float, copy=True), 0.0
    print("HOSTILE-LEAK: copied a classmate's gradient_step")
    return _NAMESPACE["gradient_step"](X, y, weight, lrate)
