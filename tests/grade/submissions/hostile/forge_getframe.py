"""Hostile: reaches the worker's message loop with ``sys._getframe()``: finds the frame holding the
channel (a local int whose name says channel/out/fd) and the function that writes replies (a global
named like write_message/send), sends a crafted reply through them, and swaps that function for a
one-shot no-op so the worker's own reply is swallowed (by swapping the function's ``__code__``: the
loop has already looked the function up by the time the learner's code runs).

The crafted reply carries this call's values, computed with an in-place update of the weight, and
claims that no argument was modified.

Old grader: the forged reply is the one the grader reads; every case passes. Sandboxed grader: the
arguments are compared in the grader and a reply must follow its schema; no case passes, and a
malformed or missing reply is an error for that case, not a grader exception.
"""

import base64
import sys

import numpy as np

_WRITERS = ("write_message", "send_message", "_send", "send", "reply", "_reply")
_CHANNELS = ("channel_out", "fd_out", "out", "write", "reply", "channel")


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


def _swallow_once(*args, **kwargs):
    # Runs as the writer's own code, in the writer's module: puts the real code back.
    for function, code in _dlh_restore:  # noqa: F821
        function.__code__ = code


def _loop():
    frame = sys._getframe(2)
    while frame is not None:
        ints = {n: v for n, v in frame.f_locals.items() if type(v) is int}
        channel = next((v for key in _CHANNELS for n, v in ints.items() if key in n), None)
        writer = next((name for name in _WRITERS if callable(frame.f_globals.get(name))), None)
        if channel is not None and writer is not None:
            return frame.f_globals, writer, channel
        frame = frame.f_back
    return None


def _forge_reply(new_weight, mse):
    found = _loop()
    if found is None:
        return
    namespace, writer, channel = found
    real = namespace[writer]

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
    real(channel, reply)
    real.__globals__["_dlh_restore"] = [(real, real.__code__)]
    real.__code__ = _swallow_once.__code__


def gradient_step_onefeature(x, y, weight, lrate):
    residual = y - x * weight
    mse = np.mean(residual**2)
    weight -= lrate * np.mean(-2 * x * residual)
    _forge_reply(weight, mse)
    return weight, mse


def gradient_step(X, y, weight, lrate):
    residual = y - X @ weight
    mse = np.mean(residual**2)
    weight -= lrate * (-2 / len(X)) * (X.T @ residual)
    _forge_reply(weight, mse)
    return weight, mse
