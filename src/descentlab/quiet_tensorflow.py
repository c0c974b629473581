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
"""

from __future__ import annotations

import os
import warnings
from typing import Any

__all__ = ["keras", "tensorflow"]


def tensorflow() -> Any:
    """The ``tensorflow`` module, imported quietly on first use (NOTE [quiet tensorflow])."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import tensorflow as tf
    tf.get_logger().setLevel("ERROR")
    return tf


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
