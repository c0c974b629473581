"""§1 in TensorFlow: the gradient comes from ``tf.GradientTape`` through the MSE.

NumPy arrays in, NumPy arrays out (a torch tensor is refused, as by the NumPy backend); the
arithmetic runs on TensorFlow tensors of the inputs' float dtype (float64 unless they are float32
or float16). The checks, the seeded initial weight, the batch order and the loops are
:class:`~descentlab.linear.api.LinearBackend`'s, shared with the NumPy and torch backends, so the
three histories are the same trajectory up to rounding (``tests/linear/test_parity.py``).

TensorFlow comes from :mod:`descentlab.quiet_tensorflow` (NOTE [quiet tensorflow]); this module
is imported only when a function first runs with ``backend="tf"``
(:func:`descentlab.linear.get_backend`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descentlab.linear.api import LinearBackend, Restore, float_dtype, refuse_tensors
from descentlab.quiet_tensorflow import tensorflow

tf = tensorflow()  # this module is imported only when backend="tf" is used

__all__ = [
    "GD",
    "GD_early_stopping",
    "GD_onefeature",
    "gradient_step",
    "gradient_step_onefeature",
    "least_squares",
    "minibatchSGD",
    "mse_loss",
]


def _to_numpy(value: Any) -> Any:
    array = value.numpy()
    return array[()] if array.ndim == 0 else array


def _mse(X: Any, y: Any, w: Any) -> Any:
    residual = y - tf.matmul(X, w)
    return tf.reduce_mean(residual * residual)


class TensorFlowLinear(LinearBackend):
    name = "tf"

    def native(self, X: Any, y: Any, weight: Any) -> tuple[Any, Any, Any, Restore]:
        refuse_tensors(self.name, X, y, weight)
        arrays = [X, y] + ([weight] if isinstance(weight, np.ndarray) else [])
        dtype = tf.as_dtype(float_dtype(*arrays))
        Xn = tf.constant(np.asarray(X), dtype=dtype)
        yn = tf.reshape(tf.constant(np.asarray(y), dtype=dtype), (-1, 1))
        wn = None
        if weight is not None:
            wn = tf.reshape(tf.constant(np.asarray(weight), dtype=dtype), (-1, 1))
        return Xn, yn, wn, _to_numpy

    def step(self, X: Any, y: Any, w: Any, lrate: float) -> tuple[Any, Any]:
        with tf.GradientTape() as tape:
            tape.watch(w)
            loss = _mse(X, y, w)
        grad = tape.gradient(loss, w)
        return w - lrate * grad, loss

    def loss(self, X: Any, y: Any, w: Any) -> Any:
        return _mse(X, y, w)

    def take(self, A: Any, idx: np.ndarray) -> Any:
        return tf.gather(A, idx)

    def stack(self, arrays: list[Any]) -> Any:
        return tf.stack(arrays)

    def vector(self, values: list[float], like: Any) -> Any:
        return tf.constant(values, dtype=like.dtype, shape=(len(values),))

    def reshape(self, array: Any, shape: tuple[int, ...]) -> Any:
        return tf.reshape(array, shape)

    def solve_least_squares(self, X: Any, y: Any) -> Any:
        # fast=False: the complete orthogonal decomposition, the minimum-norm solution also
        # when X is rank-deficient (the normal equations of fast=True would fail there)
        return tf.linalg.lstsq(X, y, fast=False)

    def from_numpy(self, array: np.ndarray, like: Any) -> Any:
        return tf.constant(array, dtype=like.dtype)


BACKEND = TensorFlowLinear()
mse_loss = BACKEND.mse_loss
gradient_step_onefeature = BACKEND.gradient_step_onefeature
gradient_step = BACKEND.gradient_step
GD_onefeature = BACKEND.GD_onefeature
GD = BACKEND.GD
GD_early_stopping = BACKEND.GD_early_stopping
minibatchSGD = BACKEND.minibatchSGD
least_squares = BACKEND.least_squares
