"""Hostile: importlib tricks. An obfuscated ``__import__`` of the reference, then a search of the
file system for ``descentlab/linear/numpy_backend.py`` loaded with ``spec_from_file_location``.

Old grader: the obfuscated import already works; every case passes. Sandboxed grader: neither the
package nor its files are visible; the stub fails every case.
"""

import base64
import importlib
import importlib.util
import os
import sys
import time

import numpy as np

_NAME = base64.b64decode("ZGVzY2VudGxhYi5saW5lYXIubnVtcHlfYmFja2VuZA==").decode()
_TAIL = os.path.join("descentlab", "linear", "numpy_backend.py")
_SKIP = {"/proc", "/sys", "/dev", "/run"}


def _candidates():
    roots = [*sys.path, "/work", "/home", "/root", "/opt", "/srv", "/usr", "/"]
    deadline = time.monotonic() + 4.0
    for root in dict.fromkeys(r for r in roots if r and os.path.isdir(r)):
        for folder, subfolders, _files in os.walk(root):
            subfolders[:] = [s for s in subfolders if os.path.join(folder, s) not in _SKIP]
            path = os.path.join(folder, _TAIL)
            if os.path.isfile(path):
                yield path
            if time.monotonic() > deadline:
                return


def _load():
    try:
        module = __import__(_NAME, fromlist=["gradient_step"])
        return module, "__import__ of an obfuscated name"
    except Exception:
        pass
    for path in _candidates():
        root = os.path.dirname(os.path.dirname(os.path.dirname(path)))
        sys.path.insert(0, root)
        try:
            spec = importlib.util.spec_from_file_location("dl_backend_copy", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module, f"spec_from_file_location({path})"
        except Exception:
            continue
    return None, None


_MODULE, _HOW = _load()


def _call(name, *args):
    if _MODULE is None:
        return np.array(args[2], dtype=float, copy=True), 0.0
    print(f"HOSTILE-LEAK: loaded the reference by {_HOW}")
    return getattr(_MODULE, name)(*args)


def gradient_step_onefeature(x, y, weight, lrate):
    return _call("gradient_step_onefeature", x, y, weight, lrate)


def gradient_step(X, y, weight, lrate):
    return _call("gradient_step", X, y, weight, lrate)
