"""``fit``: one training loop for any model, optimizer, schedule and loader.

The loop composes small pieces, each in its own module: :class:`~descentlab.train.fit_config.
FitConfig` (the settings, checked once), :class:`~descentlab.train.epoch.Epoch` (one pass over
the loader), :class:`~descentlab.train.evaluation.Validation` (metrics on held-out data),
:class:`~descentlab.train.schedule_stepping.ScheduleStepping`, :class:`~descentlab.train.
checkpoint_policy.CheckpointPolicy` (NOTE [resume]), :func:`~descentlab.train.divergence_policy.
loss_divergence` and :class:`~descentlab.train.early_stopping.EarlyStopping`.

NOTE [divergence]: the training loss of every batch is checked right after the forward pass.
The first non-finite value stops the run before that batch updates the parameters; the run's
status is ``diverged`` and the message names the epoch, the step and the learning rate (NOTE
[divergence report] in :mod:`descentlab.divergence`). Reading the loss costs one device
synchronisation per step on CUDA, which is the price of stopping at the first bad step. The
last update of an epoch can make the parameters non-finite too: a non-finite validation loss
after the epoch stops the run there (at that epoch and its last step). The diverged epoch is
recorded like the others (its training loss NaN, its validation metrics evaluated), so every
series has one value per epoch, and the checkpoint is marked finished: there is nothing to
resume.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass
from typing import Any

import torch

from descentlab.tasks import Task
from descentlab.torch_device import resolve_device
from descentlab.train.checkpoint_policy import CheckpointPolicy, Trainee, loader_generator
from descentlab.train.divergence_policy import loss_divergence
from descentlab.train.early_stopping import EarlyStopping
from descentlab.train.epoch import Epoch
from descentlab.train.evaluation import Validation, evaluate, watched_loss
from descentlab.train.fit_config import SCHEDULER_UNITS, FitConfig
from descentlab.train.fit_progress import Progress, StopFit
from descentlab.train.schedule_stepping import ScheduleStepping
from descentlab.validation import InputTypeError, InputValueError, describe

__all__ = ["SCHEDULER_UNITS", "FitConfig", "FitResult", "Progress", "evaluate", "fit"]


@dataclass(frozen=True)
class FitResult:
    """The outcome of :func:`fit`.

    ``history`` holds one value per epoch and metric (``epoch``, ``train_loss``, ``lrate``,
    ``seconds``, ``samples_per_second`` and the ``val_*`` metrics); ``final`` the last epoch's
    values; ``status`` is ``finished`` or ``diverged``.
    """

    status: str
    epochs_run: int
    steps: int
    history: dict[str, list[float]]
    final: dict[str, float]
    message: str | None
    stopped_early: bool
    best_epoch: int | None
    device: str
    resumed_from_epoch: int = 0


def _check_loader(loader: Any) -> int:
    if not isinstance(loader, Iterable) or not isinstance(loader, Sized):
        raise InputTypeError(
            f"loader must be re-iterable with a len() (batches per epoch), got {describe(loader)}"
        )
    batches = len(loader)
    if batches == 0:
        raise InputValueError(
            "loader must yield at least one batch per epoch, got len(loader) == 0"
        )
    return batches


def _check_parts(model: Any, optimizer: Any, task: Any, config: Any, val_data: Any) -> None:
    if not isinstance(model, torch.nn.Module):
        raise InputTypeError(f"model must be a torch.nn.Module, got {describe(model)}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise InputTypeError(
            f"optimizer must be a torch.optim.Optimizer, got {describe(optimizer)}"
        )
    if not isinstance(task, Task):
        raise InputTypeError(
            f"task must be a descentlab Task (see make_task), got {describe(task)}"
        )
    if not isinstance(config, FitConfig):
        raise InputTypeError(f"config must be a FitConfig, got {describe(config)}")
    if config.patience is not None and val_data is None:
        raise InputValueError(
            f"patience needs validation data (val_fraction > 0), got patience={config.patience} "
            "without val_data"
        )


def fit(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    loader: Any,
    task: Task,
    config: FitConfig,
    *,
    val_data: tuple[torch.Tensor, torch.Tensor] | None = None,
    scheduler: Any = None,
    metrics_sink: Callable[[int, dict[str, float]], None] | None = None,
    callback: Callable[[Progress], None] | None = None,
) -> FitResult:
    """Train ``model`` for ``config.epochs`` epochs over ``loader``; returns the history.

    Args:
        model: any ``torch.nn.Module`` mapping a batch of features to the task's outputs; it is
            moved to the device (its parameters keep their identity, so an optimizer built on
            them before the call stays valid).
        optimizer: any ``torch.optim.Optimizer`` over the model's parameters (torch's own, or
            descentlab's through :mod:`descentlab.optim.torch_adapter`).
        loader: any re-iterable object that yields ``(xb, yb)`` tensor batches once per epoch
            and whose ``len()`` is the number of batches per epoch; batches are moved to the
            device. A ``loader.generator`` (``torch.Generator``) is saved in checkpoints.
        task: the loss and metrics (:func:`descentlab.tasks.make_task`).
        config: epochs, device, scheduler unit, early stopping, checkpoints and resume
            (:class:`FitConfig`).
        val_data: ``(X, y)`` validation tensors, evaluated after every epoch.
        scheduler: a ``torch.optim.lr_scheduler`` object or None. ``ReduceLROnPlateau`` steps
            once per epoch on the validation loss (the training loss without validation data);
            others step once per ``config.scheduler_unit`` (``epoch`` or ``step``).
        metrics_sink: called as ``sink(epoch, metrics)`` after each epoch, before the checkpoint
            (the results store logs through it).
        callback: receives :class:`Progress` events (the CLI draws its progress bar with it);
            the library itself never prints.

    Early stopping (``config.patience``) needs ``val_data``; the parameters returned are those
    of the last epoch run, ``best_epoch`` says which epoch was best. A callback raising
    :class:`StopFit` on an ``epoch`` event ends the run there (``stopped_early``, its text the
    message). Divergence: NOTE [divergence].
    """
    _check_parts(model, optimizer, task, config, val_data)
    batches = _check_loader(loader)
    target = resolve_device(config.device)
    model.to(target)
    validation = None if val_data is None else Validation.on_device(val_data, task, target)
    schedule = ScheduleStepping(scheduler, config.scheduler_unit)
    trainee = Trainee(model, optimizer, scheduler, loader_generator(loader))
    checkpoints = None
    if config.checkpoint is not None:
        checkpoints = CheckpointPolicy(
            config.checkpoint, config.checkpoint_every, config.run_config
        )
    epochs = config.epochs
    one_epoch = Epoch(
        model, optimizer, loader, task, target,
        each_step=schedule.each_step, callback=callback, epochs=epochs, batches=batches,
    )  # fmt: skip

    history: dict[str, list[float]] = {}
    done, steps, stopping = 0, 0, EarlyStopping(config.patience)
    if config.resume:
        history, saved = checkpoints.restore(trainee)
        done, steps = saved["epoch"], saved["step"]
        stopping = EarlyStopping.from_state(config.patience, saved)
    resumed_from = done

    def write_checkpoint(finished: bool) -> None:
        state = {"epoch": done, "step": steps, **stopping.as_state()}
        checkpoints.write(trainee, history=history, state=state, finished=finished)

    divergence, stopped_early, stop_message = None, False, None
    model.train()
    for epoch in range(done + 1, epochs + 1):
        outcome = one_epoch.run(epoch, steps)
        steps, divergence = outcome.steps, outcome.divergence
        record = outcome.record(epoch)
        if validation is not None:
            record.update(validation.metrics(model))
        watched = watched_loss(record)
        if divergence is None:
            divergence = loss_divergence(epoch, steps, outcome.last_rate, watched)
        for name, value in record.items():
            history.setdefault(name, []).append(value)
        if metrics_sink is not None:
            metrics_sink(epoch, record)
        if divergence is not None:
            if checkpoints is not None:
                write_checkpoint(finished=True)
            break
        done = epoch
        schedule.after_epoch(watched)
        if validation is not None:
            stopped_early = stopping.update(epoch, watched)
        last = stopped_early or epoch == epochs
        if checkpoints is not None and checkpoints.due(epoch, last=last):
            write_checkpoint(finished=last)
        if callback is not None:
            try:
                callback(
                    Progress(
                        "epoch", epoch, epochs, batches, batches, steps,
                        record["train_loss"], record["samples_per_second"], record,
                    )
                )  # fmt: skip
            except StopFit as stop:  # the callback ends the run here (a sweep's pruner)
                stopped_early, stop_message = True, str(stop)
                if checkpoints is not None and not last:
                    write_checkpoint(finished=True)
        if stopped_early:
            break
    return FitResult(
        status="finished" if divergence is None else "diverged",
        epochs_run=len(history.get("epoch", [])),
        steps=steps,
        history=history,
        final={name: values[-1] for name, values in history.items()},
        message=stop_message if divergence is None else divergence.sentence(),
        stopped_early=stopped_early,
        best_epoch=stopping.best_epoch,
        device=str(target),
        resumed_from_epoch=resumed_from,
    )
