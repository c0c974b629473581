"""Hostile: reads an instructor's ``--cases`` folder, found on the grader's command line.

It scans ``/proc/$PPID/cmdline`` and every ``/proc/*/cmdline`` for ``--cases DIR`` (or
``--cases=DIR``), reads every JSON file under DIR and returns the recorded expected values. The
test grades it with ``--cases`` pointing at a copy of the shipped case folder.

Old grader: the folder (hidden cases included) is readable; every case passes.
Sandboxed grader: the grader's process and the folder are invisible; the stub fails every case.
"""

import glob
import json
import os

import numpy as np


def _command_lines():
    pids = [str(os.getppid())] + [p for p in os.listdir("/proc") if p.isdigit()]
    for pid in dict.fromkeys(pids):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                yield [a.decode(errors="replace") for a in handle.read().split(b"\0")]
        except OSError:
            continue


def _folders():
    for argv in _command_lines():
        for i, arg in enumerate(argv):
            if arg == "--cases" and i + 1 < len(argv):
                yield argv[i + 1]
            elif arg.startswith("--cases="):
                yield arg.split("=", 1)[1]


def _documents():
    documents = []
    for folder in dict.fromkeys(_folders()):
        for path in glob.glob(os.path.join(folder, "**", "*.json"), recursive=True):
            try:
                with open(path) as handle:
                    document = json.load(handle)
            except (OSError, ValueError):
                continue
            if isinstance(document, dict) and isinstance(document.get("cases"), list):
                documents.append(document)
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
    print("HOSTILE-LEAK: read the instructor's --cases folder")
    return found


def gradient_step_onefeature(x, y, weight, lrate):
    return _answer(x, y, weight, lrate)


def gradient_step(X, y, weight, lrate):
    return _answer(X, y, weight, lrate)
