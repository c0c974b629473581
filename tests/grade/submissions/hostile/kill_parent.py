"""Hostile: sends SIGTERM, SIGINT and SIGHUP to its parent (``os.getppid()``) in every call, hoping
to end the grader before it writes a failing report. It returns the stub.

Old grader: the parent is the CLI itself, which dies by SIGTERM with no report. Sandboxed grader:
the parent is the sandbox's own init, which the grader outlives; every case fails or errors and
the report is complete (exit 1).
"""

import contextlib
import os
import signal

import numpy as np


def _signal_parent():
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        with contextlib.suppress(OSError):
            os.kill(os.getppid(), number)


def gradient_step_onefeature(x, y, weight, lrate):
    _signal_parent()
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step(X, y, weight, lrate):
    _signal_parent()
    return np.array(weight, dtype=float, copy=True), 0.0
