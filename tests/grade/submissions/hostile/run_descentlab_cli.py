"""Hostile: runs descentlab itself in a subprocess to obtain the answers: ``descentlab cases
generate --seed 2024`` regenerates the shipped case files (hidden ones included) into
``/tmp/descentlab-hostile-run_descentlab_cli``, and ``os.system("descentlab check ... --json")`` on
a stub gives the public expected values; it then returns the recorded values for its inputs. It
tries ``python -m descentlab.cli``, the ``descentlab`` console script on PATH and next to the
interpreter, and ``/work/*/.venv/bin/descentlab``.

Old grader: the worker inherits the grader's PYTHONPATH, the regenerated cases match, every case
passes. Sandboxed grader: the package is invisible, and hidden cases come from a fresh seed; the
stub fails every case.
"""

import contextlib
import glob
import json
import os
import shutil
import subprocess
import sys

import numpy as np

OUT = "/tmp/descentlab-hostile-run_descentlab_cli"


def _commands():
    yield [sys.executable, "-m", "descentlab.cli"]
    for script in [
        shutil.which("descentlab"),
        os.path.join(os.path.dirname(sys.executable), "descentlab"),
    ]:
        if script and os.path.exists(script):
            yield [script]
    for script in glob.glob("/work/*/.venv/bin/descentlab"):
        yield [script]


def _documents():
    documents = []
    for command in _commands():
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                [*command, "cases", "generate", "--out", OUT, "--seed", "2024", "--force"],
                capture_output=True,
                timeout=20,
                check=False,
            )
        if glob.glob(os.path.join(OUT, "*", "hidden.json")):
            break
    stub = os.path.join(OUT, "stub.py")
    with contextlib.suppress(OSError):
        os.makedirs(OUT, exist_ok=True)
        with open(stub, "w") as handle:
            handle.write("def gradient_step(X, y, weight, lrate):\n    return weight, 0.0\n")
        os.system(
            f"{sys.executable} -m descentlab.cli check {stub} --json > {OUT}/report.json 2>/dev/null"
        )
    for path in glob.glob(os.path.join(OUT, "*", "*.json")):
        with contextlib.suppress(OSError, ValueError), open(path) as handle:
            documents.append(json.load(handle))
    with contextlib.suppress(OSError, ValueError), open(os.path.join(OUT, "report.json")) as handle:
        for function in json.load(handle)["functions"]:
            documents.append({"cases": function["public"]})
    return documents


try:
    _DOCUMENTS = _documents()
except Exception:
    _DOCUMENTS = []


def _match(x, y, weight, lrate):
    for document in _DOCUMENTS:
        for case in document.get("cases", []):
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
    print("HOSTILE-LEAK: ran descentlab in a subprocess for the answers")
    return found


def gradient_step_onefeature(x, y, weight, lrate):
    return _answer(x, y, weight, lrate)


def gradient_step(X, y, weight, lrate):
    return _answer(X, y, weight, lrate)
