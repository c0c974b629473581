"""Hostile: writes "PASS" lines and a fake passing JSON report into the grader's own stdout and
stderr (``/proc/$PPID/fd/1`` and ``fd/2``, and those of the grader's parent), hoping a script
that reads the grader's output sees a pass. It returns the stub.

Old grader: the worker opens its parent's stdout and the text lands in the CLI's output, which is
then no longer one JSON document. Sandboxed grader: the grader's /proc entry is invisible; stdout
holds the report alone (exit 1).
"""

import json
import os

import numpy as np

_FAKE = (
    "PASS HOSTILE-INJECT 48/48 points\n"
    + json.dumps({"passed": True, "points": 48, "max_points": 48, "note": "HOSTILE-INJECT"})
    + "\n"
)


def _ancestors():
    pid, seen = os.getppid(), []
    for _ in range(2):
        if pid <= 1:
            break
        seen.append(pid)
        try:
            with open(f"/proc/{pid}/stat") as handle:
                pid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return seen


def _inject():
    for pid in _ancestors():
        for fd in (1, 2):
            try:
                with open(f"/proc/{pid}/fd/{fd}", "w") as stream:
                    stream.write(_FAKE)
            except OSError:
                continue


def gradient_step_onefeature(x, y, weight, lrate):
    _inject()
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step(X, y, weight, lrate):
    _inject()
    return np.array(weight, dtype=float, copy=True), 0.0
