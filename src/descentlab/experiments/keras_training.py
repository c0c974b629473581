"""The Keras side of ``keras-dense`` (SPEC §2.10): the seeded dense network, one compiled model
reused run after run from restored initial states, and ``fit`` timed epoch by epoch.

NOTE [keras determinism]: a run's randomness is explicit and per run. The network's weights come
from Glorot-uniform initialisers, each layer seeded from the run seed (:func:`initial_weights`),
biases zero; the batch order is the lab's seeded epoch permutation fed through ``tf.data``
(:func:`descentlab.loading.tf_data.epoch_stream`); there is no dropout and no other random op.
Keras's global seeds (``keras.utils.set_random_seed``) are not used: nothing draws from them.
``tf.config.experimental.enable_op_determinism()`` is switched on before the first run (it stays
on for the process; TensorFlow offers no public switch back): kernels with a nondeterministic
implementation then either take a deterministic one or raise, and ``tf.data`` keeps its element
order. The model is compiled with ``jit_compile=False`` (XLA's fused kernels may order sums
differently from the graph's) and ``steps_per_execution=1`` (one update per call, so the epochs
and update counts are what they say). On one machine with one TensorFlow build the same seed
then gives the same bits; across machines (other CPUs, thread counts, oneDNN kernels) expect
float32 rounding differences, growing with the number of updates.

NOTE [keras reuse]: tracing ``fit``'s training and evaluation functions costs about a second per
model, more than a whole epoch at batch 256. So each task compiles ONE model and every run (batch
size × seed × budget) starts it from scratch: the seed's initial weights are set, the optimizer's
variables (step count, moment estimates) are restored to the values they had when it was built,
and ``fit`` resets the metrics. The stream's batches have a dynamic first dimension, so every
batch size reuses the same traced function. The first epoch of every ``fit`` still holds the
iterator start-up and fills the prefetch buffer, so it is the warm-up, never timed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.quiet_tensorflow import keras as quiet_keras
from descentlab.quiet_tensorflow import tensorflow

__all__ = [
    "METRICS",
    "OPTIMIZERS",
    "DenseModel",
    "epoch_clock",
    "initial_weights",
    "make_dense_model",
    "update_watch",
    "validation_batches",
]

OPTIMIZERS = ("adam", "sgd")
METRICS = {"regression": "mae", "classification": "accuracy"}
"""The metric reported beside the loss (MSE for regression, binary cross-entropy for
classification)."""
EVAL_BATCH = 4096
"""Rows per batch when the validation part is evaluated (the result does not depend on it
beyond float32 rounding, and it is the same for every run)."""


def _layer_seeds(seed: int, count: int) -> list[int]:
    """One initialiser seed per layer, drawn from the run seed (distinct layers, distinct
    draws), each below 2**31 as TensorFlow's seed arguments want."""
    state = np.random.SeedSequence([seed, 2_10]).generate_state(count, np.uint32)
    return [int(s) >> 1 for s in state]


def _network(n_features: int, layers: Sequence[int], task: str, seed: int) -> Any:
    """An uncompiled Functional model: Dense ReLU layers of ``layers`` widths and one output
    (linear for regression, sigmoid for classification), Glorot-uniform kernels seeded from
    ``seed``, zero biases."""
    keras = quiet_keras()
    seeds = _layer_seeds(seed, len(layers) + 1)
    inputs = keras.Input(shape=(n_features,), name="features")
    hidden = inputs
    for index, width in enumerate(layers):
        hidden = keras.layers.Dense(
            width,
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=seeds[index]),
            bias_initializer="zeros",
            name=f"dense_{index + 1}",
        )(hidden)
    output = keras.layers.Dense(
        1,
        activation="sigmoid" if task == "classification" else None,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seeds[-1]),
        bias_initializer="zeros",
        name="output",
    )(hidden)
    return keras.Model(inputs, output, name=f"dense_{task}")


def validation_batches(X: np.ndarray, y: np.ndarray) -> Any:
    """The validation part as a ``tf.data.Dataset`` of ``EVAL_BATCH``-row batches in row order.
    Built here rather than handing Keras the arrays: Keras's own array pipeline logs a C++ error
    line about an unknown dataset attribute with this TensorFlow build."""
    tf = tensorflow()
    return tf.data.Dataset.from_tensor_slices((X, y)).batch(EVAL_BATCH)


def initial_weights(n_features: int, layers: Sequence[int], task: str, seed: int) -> list:
    """The seed's initial weights, as NumPy arrays in the model's order (NOTE [keras
    determinism]): the same seed gives the same arrays, for every batch size."""
    return [np.asarray(w) for w in _network(n_features, layers, task, seed).get_weights()]


@dataclass
class DenseModel:
    """One compiled model of a task and the optimizer state it had when built (NOTE [keras
    reuse])."""

    model: Any
    task: str
    fresh_optimizer: list

    def restart(self, weights: list) -> None:
        """The model as if just built with ``weights``: weights set, optimizer state restored."""
        self.model.set_weights(weights)
        for variable, value in zip(
            self.model.optimizer.variables, self.fresh_optimizer, strict=True
        ):
            variable.assign(value)

    @property
    def updates(self) -> int:
        """Updates the optimizer made since the last :meth:`restart` (its step counter)."""
        return int(self.model.optimizer.iterations.numpy())


def make_dense_model(
    n_features: int, layers: Sequence[int], task: str, *, optimizer: str, lrate: float
) -> DenseModel:
    """The task's network compiled once: MSE + MAE (regression) or binary cross-entropy +
    accuracy (classification), ``optimizer`` at ``lrate`` (NOTE [keras determinism])."""
    keras = quiet_keras()
    tensorflow().config.experimental.enable_op_determinism()
    model = _network(n_features, layers, task, seed=0)
    if optimizer == "adam":
        chosen = keras.optimizers.Adam(learning_rate=lrate)
    else:
        chosen = keras.optimizers.SGD(learning_rate=lrate)
    if task == "classification":
        loss, metric = keras.losses.BinaryCrossentropy(), keras.metrics.BinaryAccuracy("accuracy")
    else:
        loss, metric = keras.losses.MeanSquaredError(), keras.metrics.MeanAbsoluteError("mae")
    model.compile(
        optimizer=chosen, loss=loss, metrics=[metric], jit_compile=False, steps_per_execution=1
    )
    chosen.build(model.trainable_variables)
    fresh = [np.asarray(v.numpy()) for v in chosen.variables]
    return DenseModel(model, task, fresh)


def epoch_clock() -> Any:
    """A Keras callback timing each epoch's training (``.seconds``): from the epoch's start to
    the end of its last update, before the validation pass (Keras evaluates after the training
    steps and before ``on_epoch_end``; reading the epoch's logs waits for the last update)."""
    keras = quiet_keras()

    class EpochClock(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []
            self._start = 0.0
            self._open = False

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._start, self._open = time.perf_counter(), True

        def _stop(self) -> None:
            if self._open:
                self.seconds.append(time.perf_counter() - self._start)
                self._open = False

        def on_test_begin(self, logs: Any = None) -> None:
            self._stop()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self._stop()

    return EpochClock()


def update_watch(limit: int | None = None) -> Any:
    """A Keras callback stopping ``fit`` after ``limit`` updates (None: no limit; Keras checks
    after every batch, validates the epoch it stopped in, then ends) or at the first non-finite
    training loss; ``.seen`` is ``(epoch, update, loss)`` there (epoch from 1, update from 1
    over the whole fit). Keras reports the epoch's running mean of the batch losses, which
    turns non-finite with the first non-finite batch loss."""
    keras = quiet_keras()

    class NonFiniteStop(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epoch = 0
            self.updates = 0
            self.seen: tuple[int, int, float] | None = None

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.epoch = epoch + 1

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self.updates += 1
            loss = float((logs or {}).get("loss", 0.0))
            if self.seen is None and not math.isfinite(loss):
                self.seen = (self.epoch, self.updates, loss)
                self.model.stop_training = True
            if limit is not None and self.updates >= limit:
                self.model.stop_training = True

    return NonFiniteStop()
