"""Hostile: a disk filler: ignores SIGXFSZ and writes 64 MB blocks to
``/tmp/descentlab-hostile-disk-fill.bin`` until a write fails, capped at 3 GB so that a machine
survives it even without a limit; once per worker. The file is left behind. It returns the stub.

Verdict: fail. The grader must finish with a complete report, and the file must not exist outside
the sandbox afterwards (the sandbox's /tmp is private and RLIMIT_FSIZE bounds it).
"""

import contextlib
import signal

import numpy as np

_PATH = "/tmp/descentlab-hostile-disk-fill.bin"
_BLOCK = b"\x00" * (64 << 20)
_CAP = 3 << 30
_DONE = []


def _fill():
    if _DONE:
        return
    _DONE.append(True)
    with contextlib.suppress(Exception):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    written = 0
    with contextlib.suppress(OSError), open(_PATH, "wb") as handle:
        while written < _CAP:
            handle.write(_BLOCK)
            written += len(_BLOCK)


def gradient_step_onefeature(x, y, weight, lrate):
    _fill()
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step(X, y, weight, lrate):
    _fill()
    return np.array(weight, dtype=float, copy=True), 0.0
