"""Hostile on the side, correct values: starts a daemon in a new session (``start_new_session``)
that sleeps for ten minutes with the marker ``dlh-setsid`` in its command line. Once per worker.

Verdict: pass. The values are right and a learner may start processes; what must not happen is a
process outliving grading. Old grader: a new session escapes the ``killpg`` that ends the worker,
so the daemon survives. Sandboxed grader: the whole tree (PID namespace) dies with the grading.
"""

import contextlib
import subprocess
import sys

import numpy as np

_STARTED = []


def _daemon():
    if _STARTED:
        return
    _STARTED.append(True)
    with contextlib.suppress(OSError):
        subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(600)", "dlh-setsid"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


def gradient_step_onefeature(x, y, weight, lrate):
    _daemon()
    residual = y - x * weight
    return weight - lrate * np.mean(-2 * x * residual), np.mean(residual**2)


def gradient_step(X, y, weight, lrate):
    _daemon()
    residual = y - X @ weight
    return weight - lrate * (-2 / len(X)) * (X.T @ residual), np.mean(residual**2)
