"""Hostile: returns objects that attack whoever inspects them. The variant depends on the case
(``len(x) // 5``): an object whose ``__repr__`` kills the parent process, one whose ``__repr__``
never returns, one whose ``__repr__`` is 50 MB long, a fake "torch" tensor whose ``detach()``
kills the parent, an ndarray subclass whose ``copy``/``tobytes``/``__array__`` kill the parent,
a float subclass whose ``__eq__`` is always True and whose ``__float__`` lies, and a tuple
subclass whose ``__len__`` lies.

Verdict: fail (none of these is a correct value). Whatever inspects the value must do it inside
the sandbox or treat it as data; the grader must finish with a complete report (exit 1).
Old grader: the worker inspects the value, but it is the grader's child, so the parent-killing
variants end the CLI with no report.
"""

import os
import signal
import time

import numpy as np


def _kill_parent(*args, **kwargs):
    os.kill(os.getppid(), signal.SIGKILL)
    return "killed"


class KillsOnRepr:
    __repr__ = __str__ = _kill_parent


class NeverReturns:
    def __repr__(self):
        while True:
            time.sleep(1)


class Huge:
    def __repr__(self):
        return "x" * (50 << 20)


class FakeTensor:
    __module__ = "torch.fake"
    detach = cpu = numpy = _kill_parent


class EvilArray(np.ndarray):
    copy = tobytes = __array__ = __reduce__ = __reduce_ex__ = _kill_parent


class LyingFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__

    def __float__(self):
        return 0.0


class LyingTuple(tuple):
    def __len__(self):
        return 2


def _evil(x, weight):
    variant = (len(x) // 5) % 7
    if variant == 0:
        return KillsOnRepr(), KillsOnRepr()
    if variant == 1:
        return NeverReturns(), 0.0
    if variant == 2:
        return Huge(), Huge()
    if variant == 3:
        return FakeTensor(), FakeTensor()
    if variant == 4:
        return np.asarray(weight, dtype=float).view(EvilArray), np.zeros(()).view(EvilArray)
    if variant == 5:
        return LyingFloat(1e300), LyingFloat(-1.0)
    return LyingTuple([np.array(weight, copy=True)])


def gradient_step_onefeature(x, y, weight, lrate):
    return _evil(x, weight)


def gradient_step(X, y, weight, lrate):
    return _evil(X, weight)
