"""TensorFlow, imported once and quietly, for every part of descentlab that uses it.

NOTE [quiet tensorflow]: TensorFlow's C++ runtime writes start-up lines (CPU instruction notes,
oneDNN notices, absl's "log messages before InitializeLog") straight to the process's stderr,
where a CLI user reads them as warnings about their run. The only switch that silences them is
the environment variable ``TF_CPP_MIN_LOG_LEVEL``, read once when TensorFlow loads, so
:func:`tensorflow` sets it just before the import, and this is the only module of descentlab that
imports TensorFlow. ``setdefault`` keeps a value the user chose (``TF_CPP_MIN_LOG_LEVEL=0`` shows
everything); ``"2"`` drops INFO and WARNING lines and keeps errors. The Python warnings of the
import itself are silenced too, and TensorFlow's own logger keeps only errors. Once TensorFlow is
loaded (by the user's own code first) the variable has no effect and nothing else is touched.
TensorFlow 2.21 logs its first lines through absl before absl is initialised, which ignores the
variable; so the first import also holds the process's stderr (file descriptor 2) in a temporary
file and afterwards passes on every line except absl's INFO/WARNING records (``I…``/``W…`` and
their continuation lines) and its "before InitializeLog" banner: errors and anything else still
reach the user, only later. With ``TF_CPP_MIN_LOG_LEVEL=0`` everything is passed on.
Callers import this module inside the functions that need TensorFlow (a ~5 s import), never at
the top of a module that a NumPy run loads.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import warnings
from typing import Any

__all__ = ["keras", "tensorflow"]


def tensorflow() -> Any:
    """The ``tensorflow`` module, imported quietly on first use (NOTE [quiet tensorflow])."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    first = "tensorflow" not in sys.modules
    with warnings.catch_warnings(), tempfile.TemporaryFile() as held:
        warnings.simplefilter("ignore")
        saved = os.dup(2) if first else None
        if saved is not None:
            sys.stderr.flush()
            os.dup2(held.fileno(), 2)
        try:
            import tensorflow as tf
        finally:
            if saved is not None:
                os.dup2(saved, 2)
                os.close(saved)
                held.seek(0)
                _pass_on(held.read().decode(errors="replace"))
    tf.get_logger().setLevel("ERROR")
    return tf


_ABSL_RECORD = re.compile(r"^[IWEF]\d{4} ")
_BANNER = "WARNING: All log messages before absl::InitializeLog() is called"


def _pass_on(text: str) -> None:
    """Write the held start-up output to stderr without absl's INFO and WARNING records."""
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0":
        kept = text.splitlines(keepends=True)
    else:
        kept, dropping = [], False
        for line in text.splitlines(keepends=True):
            if _ABSL_RECORD.match(line):
                dropping = line[0] in "IW"
            elif line.startswith(_BANNER):
                dropping = True
                continue
            if not dropping:
                kept.append(line)
    if kept:
        sys.stderr.write("".join(kept))
        sys.stderr.flush()


def keras() -> Any:
    """The ``keras`` module (Keras 3) on the TensorFlow backend, imported after
    :func:`tensorflow` so that TensorFlow's start-up stays quiet (NOTE [quiet tensorflow]).

    Keras reads its backend from ``KERAS_BACKEND`` once, when it is first imported, so the
    variable is set to ``tensorflow`` just before that import. A Keras that some other code
    already imported on another backend is refused: descentlab's Keras models train with
    ``tf.GradientTape``.
    """
    import sys

    tensorflow()
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = "tensorflow"
    import keras as keras_module

    backend = keras_module.backend.backend()
    if backend != "tensorflow":
        raise RuntimeError(
            f"Keras must run on the TensorFlow backend for descentlab, got {backend!r} "
            "(Keras was imported before descentlab with another KERAS_BACKEND)"
        )
    return keras_module
