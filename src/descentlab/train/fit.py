"""``fit``: one training loop for any model, optimizer, schedule and loader.

NOTE [resume]: checkpoints are taken at epoch boundaries. A checkpoint holds everything the
next epoch depends on (NOTE [atomic checkpoint]), including the state of the loader's
``torch.Generator``, so a run resumed from epoch k draws the same batch orders for epochs
k+1, k+2, … as an uninterrupted run and, on CPU, ends with bit-identical parameters. Work done
after the last checkpoint (part of an epoch) is repeated on resume.

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

import math
import time
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from descentlab.divergence import Divergence
from descentlab.store.jsonsafe import plain
from descentlab.tasks import Task
from descentlab.torch_device import resolve_device
from descentlab.train.checkpoint import (
    capture_rng,
    check_same_config,
    load_checkpoint,
    restore_rng,
    save_checkpoint,
)
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_choice,
    check_positive_int,
    describe,
)

__all__ = ["FitResult", "Progress", "fit"]

SCHEDULER_UNITS = ("epoch", "step")
_EVAL_CHUNK = 8192
_TICK_SECONDS = 0.1


@dataclass(frozen=True)
class Progress:
    """What the trainer reports to its callback: ``kind`` is ``step`` (a tick at most every
    0.1 s during an epoch) or ``epoch`` (after each epoch, with that epoch's ``metrics``)."""

    kind: str
    epoch: int
    epochs: int
    batch: int
    batches: int
    step: int
    loss: float
    samples_per_second: float
    metrics: dict[str, float] = field(default_factory=dict)


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


def _lrate(optimizer: torch.optim.Optimizer) -> float:
    return float(optimizer.param_groups[0]["lr"])


@torch.no_grad()
def evaluate(
    model: torch.nn.Module, task: Task, X: torch.Tensor, y: torch.Tensor
) -> dict[str, float]:
    """The task's mean metrics of ``model`` on ``(X, y)``, in chunks, without gradients."""
    was_training = model.training
    model.eval()
    sums: dict[str, torch.Tensor] = {}
    for start in range(0, X.shape[0], _EVAL_CHUNK):
        part = task.metric_sums(
            model(X[start : start + _EVAL_CHUNK]), y[start : start + _EVAL_CHUNK]
        )
        for name, value in part.items():
            sums[name] = sums[name] + value if name in sums else value
    model.train(was_training)
    means = {name: float(value) / X.shape[0] for name, value in sums.items()}
    if "accuracy" in means:
        means["zero_one"] = 1.0 - means["accuracy"]
    return means


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


def fit(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    loader: Any,
    *,
    task: Task,
    epochs: int,
    val_data: tuple[torch.Tensor, torch.Tensor] | None = None,
    scheduler: Any = None,
    scheduler_unit: str = "epoch",
    device: str = "auto",
    patience: int | None = None,
    checkpoint: str | Path | None = None,
    checkpoint_every: int = 1,
    resume: bool = False,
    config: dict[str, Any] | None = None,
    metrics_sink: Callable[[int, dict[str, float]], None] | None = None,
    callback: Callable[[Progress], None] | None = None,
) -> FitResult:
    """Train ``model`` for ``epochs`` epochs over ``loader``; returns the per-epoch history.

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
        epochs: number of epochs (> 0).
        val_data: ``(X, y)`` validation tensors, evaluated after every epoch.
        scheduler: a ``torch.optim.lr_scheduler`` object or None. ``ReduceLROnPlateau`` steps
            once per epoch on the validation loss (the training loss without validation data);
            others step once per ``scheduler_unit`` (``epoch`` or ``step``).
        device: ``auto``, ``cpu`` or ``cuda``.
        patience: early stopping: stop after this many epochs (> 0) without a strictly lower
            validation loss than the best so far; needs ``val_data``. The parameters returned
            are those of the last epoch run; ``best_epoch`` says which epoch was best.
        checkpoint: checkpoint file, written every ``checkpoint_every`` epochs and at the end
            (NOTE [atomic checkpoint]).
        resume: continue from ``checkpoint`` (NOTE [resume]); ``config`` must equal the one
            stored in it.
        config: the resolved run config (JSON-ready), stored in checkpoints.
        metrics_sink: called as ``sink(epoch, metrics)`` after each epoch, before the checkpoint
            (the results store logs through it).
        callback: receives :class:`Progress` events (the CLI draws its progress bar with it);
            the library itself never prints.

    Divergence: NOTE [divergence].
    """
    epochs = check_positive_int("epochs", epochs)
    checkpoint_every = check_positive_int("checkpoint_every", checkpoint_every)
    check_choice("scheduler_unit", scheduler_unit, SCHEDULER_UNITS)
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
    if patience is not None:
        patience = check_positive_int("patience", patience)
        if val_data is None:
            raise InputValueError(
                f"patience needs validation data (val_fraction > 0), got patience={patience} "
                "without val_data"
            )
    if resume and checkpoint is None:
        raise InputValueError(
            "resume needs a checkpoint path, got resume=True with checkpoint=None"
        )
    batches = _check_loader(loader)
    target = resolve_device(device)
    model.to(target)
    if val_data is not None:
        val_X, val_y = (t.to(target) for t in val_data)
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    per_step = scheduler is not None and not plateau and scheduler_unit == "step"
    generator = getattr(loader, "generator", None)
    if not isinstance(generator, torch.Generator):
        generator = None
    config_plain = plain(config) if config is not None else None

    history: dict[str, list[float]] = {}
    state = {"epoch": 0, "step": 0, "best": math.inf, "best_epoch": None, "bad_epochs": 0}
    if resume:
        saved = load_checkpoint(checkpoint)
        if config_plain is not None:
            check_same_config(saved["config"], config_plain)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        if scheduler is not None and saved["scheduler"] is not None:
            scheduler.load_state_dict(saved["scheduler"])
        restore_rng(saved["rng"], generator)
        history = {name: list(values) for name, values in saved["history"].items()}
        state.update(saved["state"])
    resumed_from = state["epoch"]

    def write_checkpoint(finished: bool) -> None:
        save_checkpoint(
            checkpoint,
            {
                "format": 1,
                "config": config_plain,
                "finished": finished,
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": None if scheduler is None else scheduler.state_dict(),
                "rng": capture_rng(generator),
                "history": history,
                "state": dict(state),
            },
        )

    status, message, stopped_early = "finished", None, False
    model.train()
    for epoch in range(state["epoch"] + 1, epochs + 1):
        lrate = last_rate = _lrate(optimizer)
        started = last_tick = time.perf_counter()
        total = 0.0
        seen = 0
        for batch, (xb, yb) in enumerate(loader, start=1):
            if xb.device != target:
                xb = xb.to(target, non_blocking=True)
            if yb.device != target:
                yb = yb.to(target, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            loss = task.loss(model(xb), yb)
            value = loss.item()
            if not math.isfinite(value):
                status = "diverged"
                message = Divergence(epoch, state["step"] + 1, _lrate(optimizer), value).sentence()
                break
            loss.backward()
            last_rate = _lrate(optimizer)
            optimizer.step()
            if per_step:
                scheduler.step()
            state["step"] += 1
            size = xb.shape[0]
            total += value * size
            seen += size
            if callback is not None:
                now = time.perf_counter()
                if now - last_tick >= _TICK_SECONDS:
                    last_tick = now
                    callback(
                        Progress(
                            "step", epoch, epochs, batch, batches, state["step"],
                            total / seen, seen / (now - started),
                        )
                    )  # fmt: skip
        seconds = time.perf_counter() - started
        record = {
            "epoch": float(epoch),
            "train_loss": total / seen if status == "finished" and seen else math.nan,
            "lrate": lrate,
            "seconds": seconds,
            "samples_per_second": seen / seconds if seconds > 0 else math.nan,
        }
        if val_data is not None:
            record.update({f"val_{k}": v for k, v in evaluate(model, task, val_X, val_y).items()})
        after = record.get("val_loss", record["train_loss"])
        if status == "finished" and not math.isfinite(after):
            status = "diverged"
            message = Divergence(epoch, state["step"], last_rate, after).sentence()
        for name, value in record.items():
            history.setdefault(name, []).append(value)
        if metrics_sink is not None:
            metrics_sink(epoch, record)
        if status == "diverged":
            if checkpoint is not None:
                write_checkpoint(finished=True)
            break
        state["epoch"] = epoch
        watched = record.get("val_loss", record["train_loss"])
        if scheduler is not None and plateau:
            scheduler.step(watched)
        elif scheduler is not None and not per_step:
            scheduler.step()
        if val_data is not None:
            if watched < state["best"]:
                state.update(best=watched, best_epoch=epoch, bad_epochs=0)
            else:
                state["bad_epochs"] += 1
            stopped_early = patience is not None and state["bad_epochs"] >= patience
        last = stopped_early or epoch == epochs
        if checkpoint is not None and (epoch % checkpoint_every == 0 or last):
            write_checkpoint(finished=last)
        if callback is not None:
            callback(
                Progress(
                    "epoch", epoch, epochs, batches, batches, state["step"],
                    record["train_loss"], record["samples_per_second"], record,
                )
            )  # fmt: skip
        if stopped_early:
            break
    final = {name: values[-1] for name, values in history.items()}
    return FitResult(
        status=status,
        epochs_run=len(history.get("epoch", [])),
        steps=state["step"],
        history=history,
        final=final,
        message=message,
        stopped_early=stopped_early,
        best_epoch=state["best_epoch"],
        device=str(target),
        resumed_from_epoch=resumed_from,
    )
