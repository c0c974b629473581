"""Hostile: puts the repository's ``src`` on sys.path and imports the reference from there.

It looks for a folder holding ``descentlab/__init__.py``: up from its own file and the cwd, in the
paths named on its own and the grader's command lines, in the grader's PYTHONPATH
(``/proc/$PPID/environ``) and cwd, and under ``/work/*/src``.

Old grader: the grader's PYTHONPATH names the src folder; every case passes. Sandboxed grader:
none of these is visible; the stub fails every case.
"""

import contextlib
import glob
import importlib
import os
import sys

import numpy as np


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _places():
    here = os.path.dirname(os.path.abspath(globals().get("__file__", ".")))
    for start in (here, os.getcwd()):
        while start not in ("/", ""):
            yield start
            yield os.path.join(start, "src")
            start = os.path.dirname(start)
    ppid = os.getppid()
    for pid in ("self", str(ppid)):
        for arg in _read(f"/proc/{pid}/cmdline").split(b"\0"):
            text = arg.decode(errors="replace")
            if text.startswith("/"):
                yield os.path.dirname(text)
                yield os.path.join(os.path.dirname(text), "src")
    for item in _read(f"/proc/{ppid}/environ").split(b"\0"):
        name, _, value = item.decode(errors="replace").partition("=")
        if name == "PYTHONPATH":
            yield from value.split(os.pathsep)
    with contextlib.suppress(OSError):
        yield os.readlink(f"/proc/{ppid}/cwd")
    yield from glob.glob("/work/*/src")
    yield from glob.glob("/home/*/*/src")


def _load():
    for place in _places():
        if place and os.path.isfile(os.path.join(place, "descentlab", "__init__.py")):
            sys.path.insert(0, place)
            try:
                return importlib.import_module("descentlab.linear.numpy_backend"), place
            except Exception:
                continue
    return None, None


try:
    _MODULE, _WHERE = _load()
except Exception:
    _MODULE, _WHERE = None, None


def _call(name, *args):
    if _MODULE is None:
        return np.array(args[2], dtype=float, copy=True), 0.0
    print(f"HOSTILE-LEAK: imported the reference from {_WHERE}")
    return getattr(_MODULE, name)(*args)


def gradient_step_onefeature(x, y, weight, lrate):
    return _call("gradient_step_onefeature", x, y, weight, lrate)


def gradient_step(X, y, weight, lrate):
    return _call("gradient_step", X, y, weight, lrate)
