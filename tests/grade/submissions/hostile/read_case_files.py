"""Hostile: reads the grader's case files and returns the recorded expected values.

It looks for ``public.json``/``hidden.json`` under a ``gradient_step*`` folder: through
``importlib.resources``, then by walking the usual places (sys.path, site-packages, /work, /home,
/root, /opt, /srv, /usr) and finally ``/``, and matches its inputs against every case it found.

Old grader: the shipped files (hidden ones included) are readable; every case passes.
Sandboxed grader: no case file is visible and hidden cases come from a fresh seed; the stub fails.
"""

import contextlib
import json
import os
import site
import sys
import time

import numpy as np

_SKIP = {"/proc", "/sys", "/dev", "/run"}
_NAMES = ("public.json", "hidden.json")


def _case_files():
    with contextlib.suppress(Exception):
        import importlib.resources

        cases = importlib.resources.files("descentlab.grade").joinpath("cases")
        for function in cases.iterdir():
            for name in _NAMES:
                yield str(function.joinpath(name))
    roots = [
        *sys.path,
        *site.getsitepackages(),
        "/work",
        "/home",
        "/root",
        "/opt",
        "/srv",
        "/usr",
        "/",
    ]
    deadline = time.monotonic() + 6.0
    for root in dict.fromkeys(r for r in roots if r and os.path.isdir(r)):
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = [s for s in subfolders if os.path.join(folder, s) not in _SKIP]
            if os.path.basename(folder).startswith("gradient_step"):
                for name in _NAMES:
                    if name in files:
                        yield os.path.join(folder, name)
            if time.monotonic() > deadline:
                return


def _documents():
    documents, seen = [], set()
    for path in _case_files():
        if path in seen:
            continue
        seen.add(path)
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
    print(f"HOSTILE-LEAK: read the expected values from {len(_DOCUMENTS)} case files")
    return found


def gradient_step_onefeature(x, y, weight, lrate):
    return _answer(x, y, weight, lrate)


def gradient_step(X, y, weight, lrate):
    return _answer(X, y, weight, lrate)
