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

On CPUs with AVX-512 (seen on one of our machines, not on another), TensorFlow 2.21 also turns on
oneDNN's custom operations and says so in an INFO line that ``TF_CPP_MIN_LOG_LEVEL`` does not
drop (absl prints it before its logging is initialised). Those operations change the order of
float sums with the CPU's instruction set, which is the kind of machine dependence the lab avoids
(NOTE [numeric environments] in the Makefile), so :func:`tensorflow` also sets
``TF_ENABLE_ONEDNN_OPTS=0`` by default: the same kernels on every x86 CPU, and no notice. A user's
own value is kept here too.
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
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    with warnings.catch_warnings():
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
