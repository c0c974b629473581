"""Hostile: freezes its parent with SIGSTOP, so the grader never finishes. It returns the stub.

Old grader: the parent is the CLI, which stops for good (the test's hard limit ends it).
Sandboxed grader: the parent is the sandbox's init; the grader is not reachable and finishes with
a complete report (exit 1).
"""

import contextlib
import os
import signal

import numpy as np


def _stop_parent():
    with contextlib.suppress(OSError):
        os.kill(os.getppid(), signal.SIGSTOP)


def gradient_step_onefeature(x, y, weight, lrate):
    _stop_parent()
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step(X, y, weight, lrate):
    _stop_parent()
    return np.array(weight, dtype=float, copy=True), 0.0
