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
Callers import this module inside the functions that need TensorFlow (a ~5 s import), never at
the top of a module that a NumPy run loads.

TensorFlow 2.21 writes two of its start-up lines through absl before absl's logging is set up
("WARNING: All log messages before absl::InitializeLog() ..." and the oneDNN notice), where
``TF_CPP_MIN_LOG_LEVEL`` does not reach. So while TensorFlow loads, the process's stderr (file
descriptor 2) goes to a temporary file; afterwards every captured line except those known
start-up notices is written back to stderr, so an error TensorFlow prints while loading is still
seen. With ``TF_CPP_MIN_LOG_LEVEL`` set by the user below 2 nothing is dropped.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["keras", "tensorflow"]


START_UP_NOTICES = (
    "All log messages before absl::InitializeLog() is called",
    "oneDNN custom operations are on",
    "cpu_feature_guard",
)
"""Parts of the start-up lines TensorFlow writes to stderr while it loads, dropped (NOTE [quiet
tensorflow])."""


@contextmanager
def _start_up_lines_dropped() -> Iterator[None]:
    """File descriptor 2 captured while the block runs; the captured lines that are not
    :data:`START_UP_NOTICES` written back to it afterwards."""
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL") not in ("2", "3") or "tensorflow" in sys.modules:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no stderr to capture
        yield
        return
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode(errors="replace").splitlines(keepends=True)
            kept = [line for line in lines if not any(n in line for n in START_UP_NOTICES)]
            if kept:
                os.write(2, "".join(kept).encode())


def tensorflow() -> Any:
    """The ``tensorflow`` module, imported quietly on first use (NOTE [quiet tensorflow])."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with warnings.catch_warnings(), _start_up_lines_dropped():
        warnings.simplefilter("ignore")
        import tensorflow as tf
    tf.get_logger().setLevel("ERROR")
    return tf


def keras() -> Any:
    """The ``keras`` module on the TensorFlow backend, TensorFlow imported quietly first.

    Keras 3 reads its backend from ``KERAS_BACKEND`` once, when it is first imported, so that is
    set here to ``tensorflow`` beforehand; a Keras that was already imported on another backend
    (the user's own code) is refused rather than silently used.
    """
    tensorflow()
    os.environ["KERAS_BACKEND"] = "tensorflow"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import keras as keras_module
    backend = keras_module.backend.backend()
    if backend != "tensorflow":
        raise RuntimeError(
            f"keras must run on the tensorflow backend here, got {backend!r} (Keras was imported "
            "before descentlab with another KERAS_BACKEND)"
        )
    return keras_module
