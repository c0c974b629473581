"""Hostile: a memory bomb: touches 256 MB blocks until allocation fails, capped at 8 GB so that a
machine survives it even without a limit; every call. It returns the stub if it survives.

Verdict: fail. Each case must end as a memory error, crash or timeout with a reason, the grader
must finish with a complete report, and the machine must stay up.
"""

import numpy as np

_BLOCK = 256 << 20
_CAP = 8 << 30


def _bomb():
    blocks = []
    try:
        while len(blocks) * _BLOCK < _CAP:
            blocks.append(b"\x01" * _BLOCK)
    except MemoryError:
        pass
    finally:
        blocks.clear()


def gradient_step_onefeature(x, y, weight, lrate):
    _bomb()
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step(X, y, weight, lrate):
    _bomb()
    return np.array(weight, dtype=float, copy=True), 0.0
