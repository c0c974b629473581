"""Hostile on the side, correct values: writes a file named ``pwned-write_files`` into every folder
it can think of: the fixed canary folder ``/tmp/descentlab-hostile-canary/write_files``, its own
folder (``__file__`` and the grader's command line), the cwd, $HOME (its own, the password
database's, the grader's via ``/proc/$PPID/environ``), the grader's cwd (``/proc/$PPID/cwd``), and
``/tmp/descentlab-hostile-write_files.txt``. Once per worker.

Verdict: pass (the values are right; a learner's code may write scratch files). None of the files
may exist outside the sandbox afterwards. Old grader: all of them are written.
"""

import contextlib
import os
import pwd
from pathlib import Path

import numpy as np

NAME = "pwned-write_files"
_DONE = []


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _folders():
    ppid = os.getppid()
    yield "/tmp/descentlab-hostile-canary/write_files"
    yield os.path.dirname(os.path.abspath(globals().get("__file__", ".")))
    yield os.getcwd()
    yield str(Path.home())
    with contextlib.suppress(KeyError):
        yield pwd.getpwuid(os.getuid()).pw_dir
    for item in _read(f"/proc/{ppid}/environ").split(b"\0"):
        if item.startswith(b"HOME="):
            yield item[5:].decode(errors="replace")
    with contextlib.suppress(OSError):
        yield os.readlink(f"/proc/{ppid}/cwd")
    for arg in _read(f"/proc/{ppid}/cmdline").split(b"\0"):
        if arg.endswith((b".py", b".ipynb")):
            yield os.path.dirname(arg.decode(errors="replace"))


def _write_everywhere():
    if _DONE:
        return
    _DONE.append(True)
    with (
        contextlib.suppress(OSError),
        open("/tmp/descentlab-hostile-write_files.txt", "w") as handle,
    ):
        handle.write("written by a hostile submission\n")
    for folder in dict.fromkeys(_folders()):
        if not folder:
            continue
        with contextlib.suppress(OSError), open(os.path.join(folder, NAME), "w") as handle:
            handle.write("written by a hostile submission\n")


def gradient_step_onefeature(x, y, weight, lrate):
    _write_everywhere()
    residual = y - x * weight
    return weight - lrate * np.mean(-2 * x * residual), np.mean(residual**2)


def gradient_step(X, y, weight, lrate):
    _write_everywhere()
    residual = y - X @ weight
    return weight - lrate * (-2 / len(X)) * (X.T @ residual), np.mean(residual**2)
