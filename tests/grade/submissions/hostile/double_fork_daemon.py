"""Hostile on the side, correct values: a classic double-fork daemon (fork, ``setsid``, fork,
exit) that ``exec``s a Python sleeping for ten minutes with the marker ``dlh-dblfork`` in its
command line, re-parented away from the worker. Once per worker.

Verdict: pass (see setsid_daemon.py). Old grader: the daemon is in its own session, no child of
the worker, and survives. Sandboxed grader: it dies with the sandbox's PID namespace.
"""

import os
import sys

import numpy as np

_STARTED = []


def _daemon():
    if _STARTED:
        return
    _STARTED.append(True)
    try:
        child = os.fork()
    except OSError:
        return
    if child == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.execv(
                    sys.executable,
                    [sys.executable, "-c", "import time; time.sleep(600)", "dlh-dblfork"],
                )
        finally:
            os._exit(0)
    os.waitpid(child, 0)


def gradient_step_onefeature(x, y, weight, lrate):
    _daemon()
    residual = y - x * weight
    return weight - lrate * np.mean(-2 * x * residual), np.mean(residual**2)


def gradient_step(X, y, weight, lrate):
    _daemon()
    residual = y - X @ weight
    return weight - lrate * (-2 / len(X)) * (X.T @ residual), np.mean(residual**2)
