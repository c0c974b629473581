"""Hostile: forks three children that rename themselves ``dlh-orphans`` (``/proc/self/comm``) and
sleep for ten minutes, then ends the worker with ``os._exit(3)`` so no one waits for them.

Verdict: fail (every call crashes the worker). Old grader: after a crash it kills the worker's
process group only if the worker is still running, so the orphans survive. Sandboxed grader: the
children die with the sandbox.
"""

import os
import time


def _orphans_then_exit():
    for _ in range(3):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                with open("/proc/self/comm", "w") as comm:
                    comm.write("dlh-orphans")
                time.sleep(600)
            finally:
                os._exit(0)
    os._exit(3)


def gradient_step_onefeature(x, y, weight, lrate):
    _orphans_then_exit()


def gradient_step(X, y, weight, lrate):
    _orphans_then_exit()
