"""Hostile: writes malformed messages on every channel it can find (fd 1 and every writable pipe or
socket in ``/proc/self/fd``), then sends the worker's own reply to /dev/null. It attacks in every
other case (odd ``i = len(x) // 5``; the cases between reset a grader's count of consecutive
crashes), and the variant depends on the case (``i // 2``): a length prefix promising 200 MB and
no body, invalid UTF-8, a JSON array, an object of wrong types, JSON nested 100 000 deep, NaN and
absurd shapes, object and void dtypes, a reply claiming a pass, a hundred replies at once, and
closing the channel.

It returns the stub either way. The point is the grader: every case must end as fail, error or
timeout with a reason, and the grader must finish with a complete report (exit 1), not raise.
Old grader: the wrong field types raise inside the grader (``tuple(5)``), which ends the CLI with
exit code 2 and no report.
"""

import base64
import json
import os
import stat
import struct

import numpy as np


def _channels():
    found = {1}
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            mode = os.fstat(fd).st_mode
            with open(f"/proc/self/fdinfo/{fd}") as info:
                flags = int(info.read().split("flags:")[1].split()[0], 8)
        except (OSError, IndexError, ValueError):
            continue
        if (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)) and flags & 3 in (1, 2):
            found.add(fd)
    return sorted(found)


def _framed(payload):
    return struct.pack(">I", len(payload)) + payload


def _wire(shape, dtype="<f8", data=b""):
    return {"dtype": dtype, "shape": shape, "data": base64.b64encode(data).decode()}


def _item(wire):
    return {
        "kind": "ndarray",
        "type": "numpy.ndarray",
        "dtype": "float64",
        "shape": wire["shape"],
        "array": wire,
    }


def _variants():
    return [
        struct.pack(">I", 200_000_000),
        _framed(b"\xff\xfe\xfa not utf-8 \xc3\x28"),
        _framed(b"[1, 2, 3]"),
        _framed(
            json.dumps(
                {
                    "status": "returned",
                    "result": 5,
                    "modified": 5,
                    "seconds": "soon",
                    "output": None,
                    "output_chars": "many",
                }
            ).encode()
        ),
        _framed(b"[" * 100_000 + b"]" * 100_000),
        _framed(
            b'{"status": "returned", "seconds": NaN, "output_chars": Infinity, "result": {"kind": "sequence", "type": "tuple", "length": 2, "items": ['
            + json.dumps(_item(_wire([10**12, 10**12]))).encode()
            + b", "
            + json.dumps(_item(_wire([-1]))).encode()
            + b"]}}"
        ),
        _framed(
            json.dumps(
                {
                    "status": "returned",
                    "result": {
                        "kind": "sequence",
                        "type": "tuple",
                        "length": 2,
                        "items": [
                            _item(_wire([1], "|O", b"\0" * 8)),
                            _item(_wire([], "V8", b"\0" * 8)),
                        ],
                    },
                    "modified": [],
                }
            ).encode()
        ),
        _framed(
            json.dumps(
                {
                    "status": "pass",
                    "verdict": "pass",
                    "ok": True,
                    "passed": True,
                    "points": 1e9,
                    "modified": [],
                }
            ).encode()
        ),
        _framed(
            json.dumps(
                {
                    "status": "returned",
                    "result": {"kind": "sequence", "type": "tuple", "length": 2},
                    "modified": [],
                    "seconds": 0.0,
                }
            ).encode()
        )
        * 100,
        None,
    ]


def _attack(x):
    number = len(x) // 5
    if number % 2 == 0:
        return
    variants = _variants()
    variant = variants[(number // 2) % len(variants)]
    null = os.open(os.devnull, os.O_WRONLY)
    for fd in _channels():
        try:
            if variant is None:
                os.close(fd)
                continue
            os.write(fd, variant)
            os.dup2(null, fd)
        except OSError:
            continue


def gradient_step_onefeature(x, y, weight, lrate):
    _attack(x)
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step(X, y, weight, lrate):
    _attack(X)
    return np.array(weight, dtype=float, copy=True), 0.0
