"""``keras_fit``: the trainer's loop for a Keras model, by ``tf.GradientTape`` or by ``model.fit``.

The run is the torch trainer's (:func:`descentlab.train.fit.fit`) with a Keras model: the same
loader (so the same batches in the same order for a seed: the loader's ``torch.Generator`` draws
every epoch's permutation), the same history, metrics sink, progress events, early stopping,
checkpoints (NOTE [resume]: the Keras weights and optimizer variables go into the same
checkpoint file, the loader's generator state with them) and divergence rule. Validation metrics
are the task's own (:class:`~descentlab.train.evaluation.Validation`), computed from the Keras
model's outputs. Keras runs on the CPU in float32 without XLA.

NOTE [keras loops]: ``loop="descentlab"`` is our loop: one compiled ``tf.function`` per batch
computes the loss and its gradient under a ``tf.GradientTape`` and applies the update only when
the loss is finite, then hands the loss back, so a non-finite batch stops the run before its
update exactly as NOTE [divergence] says. ``loop="fit"`` lets Keras run each epoch: one
``model.fit(epochs=1)`` over a ``tf.data`` pipeline that slices the loader's batches of that
epoch back-to-back (the same batches, the same order), with a callback that reads the running
loss after each batch. Keras applies a batch's update before any callback sees its loss, so in
this mode the diverging batch's update has been applied when the run stops; the record (epoch,
step, rate) is the same, and a diverged run's checkpoint is finished, never resumed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from descentlab.tasks import Task
from descentlab.train.checkpoint_policy import CheckpointPolicy, Trainee, loader_generator
from descentlab.train.divergence_policy import loss_divergence
from descentlab.train.epoch import EpochOutcome
from descentlab.train.epoch_loop import EpochLoop, FitResult
from descentlab.train.evaluation import Validation
from descentlab.train.fit import _check_loader
from descentlab.train.fit_config import FitConfig
from descentlab.train.fit_progress import TICK_SECONDS, Progress
from descentlab.train.train_config import KERAS_LOOPS
from descentlab.validation import InputTypeError, InputValueError, check_choice, describe

__all__ = ["KERAS_LOOPS", "FitEpoch", "TapeEpoch", "keras_fit", "keras_loss", "keras_trainer"]


def keras_loss(task: Task) -> Callable[[Any, Any], Any]:
    """The task's loss in TensorFlow ops, per sample: ``loss(target, output) -> (m,)``; its mean
    over a batch is :meth:`Task.loss` (the same definitions as :mod:`descentlab.tasks`)."""
    from descentlab.quiet_tensorflow import tensorflow

    tf = tensorflow()
    if task.name == "regress":
        if task.loss_name == "mse":
            return lambda y, out: tf.reduce_mean(tf.square(out - y), axis=-1)
        return lambda y, out: tf.reduce_mean(tf.abs(out - y), axis=-1)
    if task.n_outputs == 1:
        return lambda y, z: tf.reduce_mean(tf.nn.softplus(z) - y * z, axis=-1)

    def cross_entropy(y: Any, z: Any) -> Any:
        labels = tf.reshape(tf.cast(y, tf.int32), [-1])  # Keras may hand the labels as (m, 1)
        picked = tf.gather(z, labels, axis=1, batch_dims=1)
        return tf.reduce_logsumexp(z, axis=1) - picked

    return cross_entropy


class KerasWeights:
    """A Keras model's weights as a ``state_dict`` of CPU tensors (what checkpoints hold)."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {
            f"weight.{i}": torch.from_numpy(np.array(w))
            for i, w in enumerate(self.model.get_weights())
        }

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.model.set_weights([state[f"weight.{i}"].numpy() for i in range(len(state))])


class KerasOptimizerState:
    """A built Keras optimizer's variables (iteration count, rate, moments) as a ``state_dict``."""

    def __init__(self, optimizer: Any) -> None:
        self.optimizer = optimizer

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {
            f"variable.{i}": torch.from_numpy(np.array(v.numpy()))
            for i, v in enumerate(self.optimizer.variables)
        }

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        variables = self.optimizer.variables
        if len(state) != len(variables):
            raise InputValueError(
                f"checkpoint optimizer state must hold {len(variables)} Keras variables, "
                f"got {len(state)}"
            )
        for i, variable in enumerate(variables):
            variable.assign(state[f"variable.{i}"].numpy())


class _KerasForward(torch.nn.Module):
    """A Keras model seen as a torch module, so that validation uses the task's own metrics."""

    def __init__(self, model: Any) -> None:
        super().__init__()
        self.keras_model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(np.array(self.keras_model(x.numpy(), training=False)))


@dataclass
class _Ticker:
    """``step`` progress events at most every 0.1 s."""

    callback: Callable[[Progress], None] | None
    epochs: int
    batches: int
    started: float = 0.0
    last: float = 0.0

    def start(self) -> None:
        self.started = self.last = time.perf_counter()

    def tick(self, epoch: int, batch: int, step: int, loss: float, seen: int) -> None:
        if self.callback is None:
            return
        now = time.perf_counter()
        if now - self.last >= TICK_SECONDS:
            self.last = now
            rate = seen / (now - self.started)
            self.callback(
                Progress("step", epoch, self.epochs, batch, self.batches, step, loss, rate)
            )


class TapeEpoch:
    """descentlab's loop: one ``tf.function`` per batch (NOTE [keras loops]); ``run(epoch,
    step)`` is one pass over ``loader``, traced on its first batch (the optimizer must be built)."""

    def __init__(
        self, model: Any, optimizer: Any, loader: Any, task: Task, ticker: _Ticker | None = None
    ) -> None:
        from descentlab.quiet_tensorflow import tensorflow

        self.tf = tensorflow()
        self.model, self.optimizer, self.loader = model, optimizer, loader
        self.ticker = ticker or _Ticker(None, 0, 0)
        self.loss = keras_loss(task)
        self.step_function = None

    def _compile(self, xb: np.ndarray, yb: np.ndarray) -> Any:
        tf, model, optimizer, per_sample = self.tf, self.model, self.optimizer, self.loss
        signature = [
            tf.TensorSpec((None, *xb.shape[1:]), tf.as_dtype(xb.dtype)),
            tf.TensorSpec((None, *yb.shape[1:]), tf.as_dtype(yb.dtype)),
        ]

        @tf.function(input_signature=signature, jit_compile=False)
        def step(x: Any, y: Any) -> Any:
            variables = model.trainable_variables
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(per_sample(y, model(x, training=True)))
            gradients = tape.gradient(loss, variables)

            def update() -> Any:
                optimizer.apply_gradients(zip(gradients, variables, strict=True))
                return tf.constant(True)

            tf.cond(tf.math.is_finite(loss), update, lambda: tf.constant(False))
            return loss

        return step

    def run(self, epoch: int, step: int) -> EpochOutcome:
        lrate = float(self.optimizer.learning_rate.numpy())
        self.ticker.start()
        total, seen, divergence = 0.0, 0, None
        for batch, (xb, yb) in enumerate(self.loader, start=1):
            x, y = xb.numpy(), yb.numpy()
            if self.step_function is None:
                self.step_function = self._compile(x, y)
            value = float(self.step_function(x, y))
            divergence = loss_divergence(epoch, step + 1, lrate, value)
            if divergence is not None:
                break
            step += 1
            total += value * x.shape[0]
            seen += x.shape[0]
            self.ticker.tick(epoch, batch, step, total / seen, seen)
        seconds = time.perf_counter() - self.ticker.started
        return EpochOutcome(lrate, lrate, total, seen, seconds, step, divergence)


class FitEpoch:
    """Keras's loop: ``model.fit`` over the epoch's batches as a ``tf.data`` pipeline; the model
    is compiled with ``optimizer`` and the task's loss here, once."""

    def __init__(
        self, model: Any, optimizer: Any, loader: Any, task: Task, ticker: _Ticker | None = None
    ) -> None:
        from descentlab.quiet_tensorflow import keras, tensorflow

        self.tf, self.keras = tensorflow(), keras()
        self.model, self.optimizer, self.loader = model, optimizer, loader
        self.ticker = ticker or _Ticker(None, 0, 0)
        model.compile(optimizer=optimizer, loss=keras_loss(task), jit_compile=False)

    def _dataset(self) -> tuple[Any, int]:
        """The epoch's batches back to back, re-batched at the loader's batch size."""
        pairs = [(xb.numpy(), yb.numpy()) for xb, yb in self.loader]
        sizes = [x.shape[0] for x, _ in pairs]
        if any(size != sizes[0] for size in sizes[:-1]) or sizes[-1] > sizes[0]:
            raise InputValueError(
                f"loader must give equal batches (the last may be smaller) for loop 'fit', "
                f"got sizes {sizes[:4]}…"
            )
        X = np.concatenate([x for x, _ in pairs])
        y = np.concatenate([y for _, y in pairs])
        data = self.tf.data.Dataset.from_tensor_slices((X, y)).batch(sizes[0])
        return data, sum(sizes)

    def run(self, epoch: int, step: int) -> EpochOutcome:
        lrate = float(self.optimizer.learning_rate.numpy())
        self.ticker.start()
        data, samples = self._dataset()
        ticker, batch_size = self.ticker, None
        seen = {"samples": 0, "loss": math.nan, "divergence": None}

        class Watch(self.keras.callbacks.Callback):
            def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
                loss = float(logs["loss"])  # the mean over the epoch's batches so far
                divergence = loss_divergence(epoch, step + batch + 1, lrate, loss)
                if divergence is not None:
                    seen["divergence"] = divergence
                    self.model.stop_training = True
                    return
                seen["samples"] = min(samples, (batch + 1) * batch_size)
                seen["loss"] = loss
                ticker.tick(epoch, batch + 1, step + batch + 1, loss, seen["samples"])

        batch_size = int(next(iter(data))[0].shape[0])
        before = int(self.optimizer.iterations.numpy())
        self.model.fit(data, epochs=1, verbose=0, shuffle=False, callbacks=[Watch()])
        done = int(self.optimizer.iterations.numpy()) - before
        seconds = time.perf_counter() - self.ticker.started
        divergence = seen["divergence"]
        count = seen["samples"] if divergence is None else 0
        total = seen["loss"] * count
        steps = step + done if divergence is None else divergence.step - 1
        return EpochOutcome(lrate, lrate, total, count, seconds, steps, divergence)


def _check_parts(model: Any, optimizer: Any, task: Any, config: Any, val_data: Any) -> None:
    from descentlab.quiet_tensorflow import keras

    if not isinstance(model, keras().Model):
        raise InputTypeError(f"model must be a keras.Model, got {describe(model)}")
    if not isinstance(optimizer, keras().optimizers.Optimizer):
        raise InputTypeError(f"optimizer must be a keras optimizer, got {describe(optimizer)}")
    if not isinstance(task, Task):
        raise InputTypeError(
            f"task must be a descentlab Task (see make_task), got {describe(task)}"
        )
    if not isinstance(config, FitConfig):
        raise InputTypeError(f"config must be a FitConfig, got {describe(config)}")
    if config.device == "cuda":
        raise InputValueError("device must be 'auto' or 'cpu' for a Keras model, got 'cuda'")
    if config.patience is not None and val_data is None:
        raise InputValueError(
            f"patience needs validation data (val_fraction > 0), got patience={config.patience} "
            "without val_data"
        )


def keras_fit(
    model: Any,
    optimizer: Any,
    loader: Any,
    task: Task,
    config: FitConfig,
    *,
    loop: str = "descentlab",
    val_data: tuple[torch.Tensor, torch.Tensor] | None = None,
    metrics_sink: Callable[[int, dict[str, float]], None] | None = None,
    callback: Callable[[Progress], None] | None = None,
) -> FitResult:
    """Train the Keras ``model`` for ``config.epochs`` epochs over ``loader``.

    Args:
        model: a ``keras.Model`` (e.g. :func:`descentlab.models.keras_models.make_keras_model`).
        optimizer: a Keras optimizer (:func:`~descentlab.train.keras_optimizers.
            build_keras_optimizer`), built here on the model's variables.
        loader, task, val_data, metrics_sink, callback: as for :func:`descentlab.train.fit`.
        config: as for ``fit``; the scheduler unit is unused (no schedules) and the device must
            be ``auto`` or ``cpu``.
        loop: ``descentlab`` (our ``tf.GradientTape`` loop) or ``fit`` (Keras's ``model.fit``),
            NOTE [keras loops].
    """
    check_choice("loop", loop, KERAS_LOOPS)
    _check_parts(model, optimizer, task, config, val_data)
    batches = _check_loader(loader)
    optimizer.build(model.trainable_variables)
    ticker = _Ticker(callback, config.epochs, batches)
    kind = TapeEpoch if loop == "descentlab" else FitEpoch
    one_epoch = kind(model, optimizer, loader, task, ticker)
    validation = None
    if val_data is not None:
        validation = Validation(task, *(t.detach().cpu() for t in val_data))
    forward = _KerasForward(model)
    trainee = Trainee(
        KerasWeights(model), KerasOptimizerState(optimizer), None, loader_generator(loader)
    )
    checkpoints = None
    if config.checkpoint is not None:
        checkpoints = CheckpointPolicy(
            config.checkpoint, config.checkpoint_every, config.run_config
        )

    epoch_loop = EpochLoop(
        one_epoch.run, config.epochs, batches, trainee, checkpoints, config.patience,
        validation=None if validation is None else lambda: validation.metrics(forward),
        metrics_sink=metrics_sink, callback=callback,
    )  # fmt: skip
    return epoch_loop.run(resume=config.resume, device="cpu")


def keras_trainer(
    loop: str, optimizer: str, *, lrate: float, options: dict[str, Any]
) -> Callable[..., FitResult]:
    """A stand-in for :func:`descentlab.train.fit.fit` (same arguments) that trains the Keras
    twin of the torch model it is given (NOTE [copied weights]) with the Keras optimizer
    ``optimizer`` (NOTE [keras optimizers]) by ``loop``; the torch optimizer and the scheduler
    it is handed are not used (a Keras run has no schedule)."""
    from descentlab.models.keras_models import keras_model_from_torch
    from descentlab.train.keras_optimizers import build_keras_optimizer

    check_choice("loop", loop, KERAS_LOOPS)

    def train(
        model: torch.nn.Module,
        _optimizer: Any,
        loader: Any,
        task: Task,
        config: FitConfig,
        *,
        scheduler: Any = None,
        **keywords: Any,
    ) -> FitResult:
        if scheduler is not None:
            raise InputValueError("scheduler must be None for a Keras run, got a scheduler")
        keras_model = keras_model_from_torch(model)
        keras_optimizer = build_keras_optimizer(optimizer, lrate=lrate, **options)
        return keras_fit(keras_model, keras_optimizer, loader, task, config, loop=loop, **keywords)

    return train
