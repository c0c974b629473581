"""``fit``: one training loop for any model, optimizer, schedule and loader.

The loop composes small pieces, each in its own module: :class:`~descentlab.train.fit_config.
FitConfig` (the settings, checked once), :class:`~descentlab.train.epoch.Epoch` (one pass over
the loader), :class:`~descentlab.train.evaluation.Validation` (metrics on held-out data),
:class:`~descentlab.train.schedule_stepping.ScheduleStepping`, :class:`~descentlab.train.
checkpoint_policy.CheckpointPolicy` (NOTE [resume]), :func:`~descentlab.train.divergence_policy.
loss_divergence` and :class:`~descentlab.train.early_stopping.EarlyStopping`, run epoch after
epoch by :class:`~descentlab.train.epoch_loop.EpochLoop` (which ``keras_fit`` shares).

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
from typing import Any

import torch

from descentlab.tasks import Task
from descentlab.torch_device import resolve_device
from descentlab.train.checkpoint_policy import CheckpointPolicy, Trainee, loader_generator
from descentlab.train.distributed import data_parallel
from descentlab.train.epoch import Epoch
from descentlab.train.epoch_loop import EpochLoop, FitResult
from descentlab.train.evaluation import Validation, evaluate
from descentlab.train.fit_config import SCHEDULER_UNITS, FitConfig
from descentlab.train.fit_progress import Progress
from descentlab.train.schedule_stepping import ScheduleStepping
from descentlab.validation import InputTypeError, InputValueError, describe

__all__ = ["SCHEDULER_UNITS", "FitConfig", "FitResult", "Progress", "evaluate", "fit"]


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
    ranks: Any = None,
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
        ranks: a :class:`~descentlab.train.distributed.Ranks` to train data-parallel inside a
            joined process group (NOTE [data parallel]): ``loader`` is then a
            :class:`~descentlab.loading.shard.ShardLoader`, the model is wrapped in
            ``DistributedDataParallel`` and only rank 0 writes checkpoints; None: one process.

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
    parallel = None if ranks is None else data_parallel(model, loader, ranks, target)
    checkpoints = None
    if config.checkpoint is not None:
        policy = CheckpointPolicy if parallel is None else parallel.checkpoints
        checkpoints = policy(config.checkpoint, config.checkpoint_every, config.run_config)
    epochs = config.epochs
    one_epoch = Epoch(
        model if parallel is None else parallel.model, optimizer, loader, task, target,
        each_step=schedule.each_step, callback=callback, epochs=epochs, batches=batches,
        combine=None if parallel is None else parallel.combine,
    )  # fmt: skip

    model.train()
    loop = EpochLoop(
        one_epoch.run, epochs, batches, trainee, checkpoints, config.patience,
        validation=None if validation is None else lambda: validation.metrics(model),
        after_epoch=schedule.after_epoch, metrics_sink=metrics_sink, callback=callback,
    )  # fmt: skip
    return loop.run(resume=config.resume, device=str(target))
