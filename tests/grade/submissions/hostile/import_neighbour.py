"""Hostile: copies a classmate. The test puts a correct ``classmate_solution.py`` in the same
folder (as in a folder of a whole class's submissions). This file never names it in an import
statement (a grader may copy the neighbour modules a submission imports, as helpers): it lists its
own folder (``__file__`` and the grader's command line) and imports every module it finds there by
a computed name (``importlib.import_module``), else reads and runs every other ``.py`` file beside
it, and returns the first classmate's values.

Old grader: the submission's folder is readable and first on sys.path; every case passes.
Sandboxed grader: the submission's folder is not visible; the stub fails every case.
"""

import contextlib
import glob
import importlib
import os
import sys

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
    folders = list(dict.fromkeys(_folders()))
    for folder in folders:
        for path in sorted(glob.glob(os.path.join(folder, "*.py"))):
            name = os.path.splitext(os.path.basename(path))[0]
            if name == "import_neighbour" or _looks_like_a_solution(path) is None:
                continue
            with contextlib.suppress(Exception):
                sys.path.insert(0, folder)
                module = importlib.import_module(name)
                if callable(getattr(module, "gradient_step", None)):
                    return vars(module)
    for folder in folders:
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
