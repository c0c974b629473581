"""Hostile on the side, correct values: reaches the network through other programs: ``os.system``
with curl, ``subprocess`` with wget, and Python's urllib, all to http://127.0.0.1:47302/ (where
the test listens). Once per worker, without waiting for them (a listener that never answers must
not cost the case its time limit).

Verdict: pass (the values are right). No connection may reach the test's listener. Old grader:
curl, wget and urllib all connect.
"""

import contextlib
import os
import subprocess
import threading
import urllib.request

import numpy as np

URL = "http://127.0.0.1:47302/answers"
_DONE = []


def _urlopen():
    with contextlib.suppress(Exception):
        urllib.request.urlopen(URL, timeout=5)


def _fetch():
    if _DONE:
        return
    _DONE.append(True)
    for curl in ("curl", "/usr/bin/curl"):
        os.system(f"{curl} -s -m 5 {URL} >/dev/null 2>&1 &")
    for wget in ("wget", "/usr/bin/wget"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.Popen(
                [wget, "-q", "-T", "5", "-t", "1", "-O", "/dev/null", URL],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
    threading.Thread(target=_urlopen, daemon=True).start()


def gradient_step_onefeature(x, y, weight, lrate):
    _fetch()
    residual = y - x * weight
    return weight - lrate * np.mean(-2 * x * residual), np.mean(residual**2)


def gradient_step(X, y, weight, lrate):
    _fetch()
    residual = y - X @ weight
    return weight - lrate * (-2 / len(X)) * (X.T @ residual), np.mean(residual**2)
