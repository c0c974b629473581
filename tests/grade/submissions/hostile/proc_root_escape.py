"""Hostile: tries to see outside its file system view through other processes' ``/proc/PID/root``
and ``/proc/PID/cwd``, looking for the package's case files under the paths named in their
environments and command lines, and returns the recorded expected values.

Old grader: ``/proc/$PPID/root`` is the real root and the grader's PYTHONPATH names the package;
every case passes. Sandboxed grader: every visible process shares the sandbox's root; the stub
fails every case.
"""

import json
import os
import time

import numpy as np


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _paths_named(pid):
    for item in _read(f"/proc/{pid}/environ").split(b"\0") + _read(f"/proc/{pid}/cmdline").split(
        b"\0"
    ):
        text = item.decode(errors="replace").partition("=")[2] or item.decode(errors="replace")
        for part in text.split(os.pathsep):
            if part.startswith("/"):
                yield part


def _case_files(base, deadline):
    for folder, _subfolders, files in os.walk(base):
        if time.monotonic() > deadline:
            return
        if os.path.basename(folder).startswith("gradient_step"):
            yield from (os.path.join(folder, f) for f in files if f.endswith(".json"))


def _documents():
    documents = []
    deadline = time.monotonic() + 6.0
    pids = [str(os.getppid())] + [p for p in os.listdir("/proc") if p.isdigit()]
    for pid in dict.fromkeys(pids):
        root = f"/proc/{pid}/root"
        bases = [f"/proc/{pid}/cwd"] + [root + p for p in _paths_named(pid)] + [root + "/work"]
        for base in dict.fromkeys(bases):
            for path in _case_files(base, deadline):
                try:
                    document = json.loads(_read(path))
                except ValueError:
                    continue
                if isinstance(document, dict) and isinstance(document.get("cases"), list):
                    documents.append(document)
        if documents or time.monotonic() > deadline:
            break
    return documents


try:
    _DOCUMENTS = _documents()
except Exception:
    _DOCUMENTS = []


def _match(x, y, weight, lrate):
    for document in _DOCUMENTS:
        for case in document["cases"]:
            try:
                inputs = case["inputs"]
                features = inputs.get("X", inputs.get("x"))
                if (
                    float(inputs["lrate"]) == float(lrate)
                    and list(np.shape(x)) == list(features["shape"])
                    and np.allclose(x, features["data"])
                    and np.allclose(y, inputs["y"]["data"])
                    and np.allclose(weight, inputs["weight"]["data"])
                ):
                    expected = case["expected"]
                    new_weight = np.array(expected["new_weight"]["data"], dtype=float)
                    return new_weight.reshape(np.shape(weight)), float(expected["mse"]["data"])
            except (KeyError, TypeError, ValueError):
                continue
    return None


def _answer(x, y, weight, lrate):
    found = _match(x, y, weight, lrate)
    if found is None:
        return np.array(weight, dtype=float, copy=True), 0.0
    print("HOSTILE-LEAK: read case files through another process's /proc root")
    return found


def gradient_step_onefeature(x, y, weight, lrate):
    return _answer(x, y, weight, lrate)


def gradient_step(X, y, weight, lrate):
    return _answer(X, y, weight, lrate)
