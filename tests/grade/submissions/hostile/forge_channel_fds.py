"""Hostile: forges the worker's replies on the channel it finds by scanning ``/proc/self/fd``.

Each call updates the weight in place (right values, wrong behaviour), writes a length-prefixed
JSON reply claiming "returned, nothing modified" to fd 1 and to every writable pipe or socket it
holds, then points those descriptors at /dev/null until its next call, so the worker's own,
truthful reply is lost.

Old grader: the forged reply is read as the worker's; the in-place update goes unreported and
every case passes. Sandboxed grader: a reply must carry what the grader needs to compare (the
arguments, in its own schema) and is validated; a forged or missing reply makes the case an
error, never a pass, and never a grader exception.
"""

import base64
import json
import os
import stat
import struct

import numpy as np

_SAVED = {}


def _channels():
    found = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd in _SAVED.values():
            continue
        try:
            mode = os.fstat(fd).st_mode
            with open(f"/proc/self/fdinfo/{fd}") as info:
                flags = int(info.read().split("flags:")[1].split()[0], 8)
        except (OSError, IndexError, ValueError):
            continue
        if (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)) and flags & 3 in (1, 2):
            found.append(fd)
    return sorted(set(found) | {1})


def _record(kind, type_name, value):
    array = np.asarray(value, dtype=np.float64)
    wire = {
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "data": base64.b64encode(array.tobytes()).decode(),
    }
    return {
        "kind": kind,
        "type": type_name,
        "dtype": "float64",
        "shape": list(array.shape),
        "array": wire,
    }


def _forge(new_weight, mse):
    for fd, saved in _SAVED.items():
        os.dup2(saved, fd)
    reply = {
        "status": "returned",
        "result": {
            "kind": "sequence",
            "type": "tuple",
            "length": 2,
            "items": [
                _record("ndarray", "numpy.ndarray", new_weight),
                _record("numpy_scalar", "numpy.float64", mse),
            ],
        },
        "modified": [],
        "seconds": 0.001,
        "output": "",
        "output_chars": 0,
    }
    payload = json.dumps(reply).encode()
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in _channels():
        try:
            os.write(fd, struct.pack(">I", len(payload)) + payload)
        except OSError:
            continue
        if fd not in _SAVED:
            _SAVED[fd] = os.dup(fd)
        os.dup2(null, fd)
    os.close(null)


def gradient_step_onefeature(x, y, weight, lrate):
    residual = y - x * weight
    mse = np.mean(residual**2)
    weight -= lrate * np.mean(-2 * x * residual)
    _forge(weight, mse)
    return weight, mse


def gradient_step(X, y, weight, lrate):
    residual = y - X @ weight
    mse = np.mean(residual**2)
    weight -= lrate * (-2 / len(X)) * (X.T @ residual)
    _forge(weight, mse)
    return weight, mse
