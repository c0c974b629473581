"""Hostile: a fork bomb, bounded so that it cannot take a machine down even without a sandbox:
ten rounds of ``fork`` in every process (at most 1024 processes, once per worker), each child named
``dlh-forkbomb`` (``/proc/self/comm``) sleeping for a minute. It returns the stub.

Verdict: fail. The grader must finish with a complete report, and no ``dlh-forkbomb`` process may
outlive grading. (A sandbox limits processes with RLIMIT_NPROC; note that the kernel does not
apply that limit to root, so a grader run as root needs another bound, e.g. a pids cgroup.)
"""

import os
import time

import numpy as np

_DONE = []


def _bomb():
    if _DONE:
        return
    _DONE.append(True)
    original = os.getpid()
    for _ in range(10):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                with open("/proc/self/comm", "w") as comm:
                    comm.write("dlh-forkbomb")
            except OSError:
                pass
    if os.getpid() != original:
        try:
            time.sleep(60)
        finally:
            os._exit(0)


def gradient_step_onefeature(x, y, weight, lrate):
    _bomb()
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step(X, y, weight, lrate):
    _bomb()
    return np.array(weight, dtype=float, copy=True), 0.0
