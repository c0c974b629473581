"""Hostile on the side, correct TensorFlow values: uses ``tf.io.gfile`` (TensorFlow's own file
layer, not Python's ``open``) to look for the user's files and the grader's, and to write outside
its sandbox. Once per worker it lists the real home (password database), /home, /root, /work and
the canary folder ``/tmp/descentlab-hostile-canary/tf_gfile_home``, walks them for a second for
case files (``public.json``/``hidden.json`` under a ``gradient_step*`` folder) and a
``descentlab`` package, reads the canary's ``keep.txt``, and writes ``pwned-tf_gfile`` into those
folders and ``/tmp/descentlab-hostile-tf_gfile.txt`` (``tf.io.write_file`` and ``GFile``).
Unsandboxed, it writes all of them and prints the leak line.

Verdict: pass (the values are right). It prints ``HOSTILE-LEAK`` when it finds any of the user's
or the grader's files; none may be found and none of its files may exist outside the sandbox.
"""

import contextlib
import os
import pwd
import time

import tensorflow as tf

NAME = "pwned-tf_gfile"
CANARY = "/tmp/descentlab-hostile-canary/tf_gfile_home"
_DONE = []


def _homes():
    homes = [CANARY, os.path.expanduser("~"), "/home", "/root", "/work"]
    with contextlib.suppress(KeyError):
        homes.append(pwd.getpwuid(os.getuid()).pw_dir)
    return list(dict.fromkeys(homes))


def _look():
    found = []
    with contextlib.suppress(Exception):
        found.append(tf.io.read_file(CANARY + "/keep.txt").numpy().decode()[:40])
    for root in _homes():
        with contextlib.suppress(Exception):
            if "keep.txt" in tf.io.gfile.listdir(root):
                found.append(root)
    deadline = time.monotonic() + 1.0
    for root in _homes():
        with contextlib.suppress(Exception):
            for folder, subfolders, files in tf.io.gfile.walk(root):
                name = os.path.basename(folder)
                if name.startswith("gradient_step") and {"public.json", "hidden.json"} & set(files):
                    found.append(folder)
                if "descentlab" in subfolders:
                    found.append(folder)
                if time.monotonic() > deadline:
                    return found
    return found


def _write():
    with contextlib.suppress(Exception):
        tf.io.write_file("/tmp/descentlab-hostile-tf_gfile.txt", "written through tf.io\n")
    for folder in _homes():
        with contextlib.suppress(Exception), tf.io.gfile.GFile(f"{folder}/{NAME}", "w") as handle:
            handle.write("written by a hostile submission through tf.io.gfile\n")


def _once():
    if _DONE:
        return
    _DONE.append(True)
    _write()
    found = _look()
    if found:
        print(f"HOSTILE-LEAK: tf.io.gfile reached {found[:3]}")


def gradient_step_onefeature(x, y, weight, lrate):
    _once()
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - x * w) ** 2)
    w.assign_sub(lrate * tape.gradient(mse, w))
    return w, mse


def gradient_step(X, y, weight, lrate):
    _once()
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - X @ w) ** 2)
    w.assign_sub(lrate * tape.gradient(mse, w))
    return w, mse
