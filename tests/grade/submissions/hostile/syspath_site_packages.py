"""Hostile: finds descentlab through site-packages: the editable install's ``.pth`` file and
``direct_url.json``, in every site folder of this interpreter, the grader's interpreter
(``/proc/$PPID/exe``) and the usual system folders, and imports the reference from there.

Old grader: ``_editable_impl_descentlab.pth`` names the source folder; every case passes.
Sandboxed grader: only numpy's and torch's site-packages are visible; the stub fails every case.
"""

import glob
import importlib
import json
import os
import site
import sys

import numpy as np


def _site_folders():
    folders = [*site.getsitepackages(), site.getusersitepackages()]
    folders += [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    try:
        exe = os.readlink(f"/proc/{os.getppid()}/exe")
        prefix = os.path.dirname(os.path.dirname(exe))
        folders += glob.glob(os.path.join(prefix, "lib", "python3*", "site-packages"))
    except OSError:
        pass
    folders += glob.glob("/usr/lib/python3*/*-packages") + glob.glob(
        "/usr/local/lib/python3*/*-packages"
    )
    folders += glob.glob("/work/*/.venv/lib/python3*/site-packages")
    return [f for f in dict.fromkeys(folders) if os.path.isdir(f)]


def _source_roots(folder):
    for pth in glob.glob(os.path.join(folder, "*.pth")):
        try:
            with open(pth) as handle:
                for line in handle:
                    line = line.strip()
                    if line and not line.startswith(("#", "import")):
                        yield line
        except OSError:
            continue
    for record in glob.glob(os.path.join(folder, "descentlab*.dist-info", "direct_url.json")):
        try:
            with open(record) as handle:
                url = json.load(handle).get("url", "")
        except (OSError, ValueError):
            continue
        if url.startswith("file://"):
            yield os.path.join(url[len("file://") :], "src")
    yield folder


def _load():
    for folder in _site_folders():
        for root in _source_roots(folder):
            if os.path.isfile(os.path.join(root, "descentlab", "linear", "numpy_backend.py")):
                sys.path.insert(0, root)
                try:
                    return importlib.import_module("descentlab.linear.numpy_backend"), root
                except Exception:
                    continue
    return None, None


try:
    _MODULE, _WHERE = _load()
except Exception:
    _MODULE, _WHERE = None, None


def _call(name, *args):
    if _MODULE is None:
        return np.array(args[2], dtype=float, copy=True), 0.0
    print(f"HOSTILE-LEAK: found the reference through site-packages at {_WHERE}")
    return getattr(_MODULE, name)(*args)


def gradient_step_onefeature(x, y, weight, lrate):
    return _call("gradient_step_onefeature", x, y, weight, lrate)


def gradient_step(X, y, weight, lrate):
    return _call("gradient_step", X, y, weight, lrate)
