"""Hostile on the side, correct values: tries to persist beyond grading by dropping a ``.pth`` file
(run by every later Python start) named ``zz_descentlab_hostile_persist.pth`` into every
site-packages folder it can find: this interpreter's, the user site, the grader's interpreter's
(``/proc/$PPID/exe``) and ``sys.path``'s. The file's content is harmless (a comment). Once per
worker.

Verdict: pass (the values are right). No such file may exist in any site folder afterwards.
Old grader: it lands in the grader's site-packages (writable for the user who installed it).
"""

import contextlib
import glob
import os
import site
import sys

import numpy as np

NAME = "zz_descentlab_hostile_persist.pth"
_DONE = []


def _site_folders():
    folders = [*site.getsitepackages(), site.getusersitepackages()]
    folders += [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    with contextlib.suppress(OSError):
        prefix = os.path.dirname(os.path.dirname(os.readlink(f"/proc/{os.getppid()}/exe")))
        folders += glob.glob(os.path.join(prefix, "lib", "python3*", "site-packages"))
    return list(dict.fromkeys(folders))


def _persist():
    if _DONE:
        return
    _DONE.append(True)
    for folder in _site_folders():
        with contextlib.suppress(OSError):
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, NAME), "w") as handle:
                handle.write("# written by a hostile descentlab test submission; delete me\n")


def gradient_step_onefeature(x, y, weight, lrate):
    _persist()
    residual = y - x * weight
    return weight - lrate * np.mean(-2 * x * residual), np.mean(residual**2)


def gradient_step(X, y, weight, lrate):
    _persist()
    residual = y - X @ weight
    return weight - lrate * (-2 / len(X)) * (X.T @ residual), np.mean(residual**2)
