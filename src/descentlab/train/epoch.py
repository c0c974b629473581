"""One training epoch: a pass over the loader with forward, loss, backward and step per batch."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from descentlab.divergence import Divergence
from descentlab.tasks import Task
from descentlab.train.divergence_policy import loss_divergence
from descentlab.train.fit_progress import TICK_SECONDS, Progress

__all__ = ["Epoch", "EpochOutcome"]


def _lrate(optimizer: torch.optim.Optimizer) -> float:
    return float(optimizer.param_groups[0]["lr"])


@dataclass(frozen=True)
class EpochOutcome:
    """What one pass did: ``lrate`` at its start, ``last_rate`` the rate of its last update,
    ``steps`` the update count after it, and the ``divergence`` that cut it short, if any."""

    lrate: float
    last_rate: float
    loss_sum: float
    seen: int
    seconds: float
    steps: int
    divergence: Divergence | None

    def record(self, epoch: int) -> dict[str, float]:
        """The epoch's history entry (the training loss is NaN when the epoch diverged)."""
        finished = self.divergence is None and self.seen
        seconds = self.seconds
        return {
            "epoch": float(epoch),
            "train_loss": self.loss_sum / self.seen if finished else math.nan,
            "lrate": self.lrate,
            "seconds": seconds,
            "samples_per_second": self.seen / seconds if seconds > 0 else math.nan,
        }


class Epoch:
    """Runs epochs of ``model`` × ``optimizer`` over ``loader`` on ``device``.

    Each batch: move to the device, forward, loss, divergence check (NOTE [divergence] in
    :mod:`descentlab.train.fit`: a non-finite loss ends the pass before its update), backward,
    optimizer step, ``each_step`` scheduler step, running mean loss, and a ``step`` progress
    tick to ``callback`` at most every 0.1 s. ``combine`` (data-parallel runs: NOTE [data
    parallel] in ``train/distributed.py``) turns a rank's batch loss into the one it
    differentiates, the global batch's mean loss and its size.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        optimizer: torch.optim.Optimizer,
        loader: Any,
        task: Task,
        device: torch.device,
        *,
        each_step: Any = None,
        callback: Callable[[Progress], None] | None = None,
        epochs: int,
        batches: int,
        combine: Callable[[int, torch.Tensor, int], tuple[torch.Tensor, float, int]] | None = None,
    ) -> None:
        self.model = model
        self.optimizer = optimizer
        self.loader = loader
        self.task = task
        self.device = device
        self.each_step = each_step
        self.callback = callback
        self.epochs = epochs
        self.batches = batches
        self.combine = combine

    def run(self, epoch: int, step: int) -> EpochOutcome:
        """Epoch number ``epoch`` (1-based), starting after update ``step``."""
        model, optimizer, task, target = self.model, self.optimizer, self.task, self.device
        scheduler, callback = self.each_step, self.callback
        lrate = last_rate = _lrate(optimizer)
        started = last_tick = time.perf_counter()
        total = 0.0
        seen = 0
        divergence = None
        for batch, (xb, yb) in enumerate(self.loader, start=1):
            if xb.device != target:
                xb = xb.to(target, non_blocking=True)
            if yb.device != target:
                yb = yb.to(target, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            loss = task.loss(model(xb), yb)
            size = xb.shape[0]
            if self.combine is None:
                value = loss.item()
            else:
                loss, value, size = self.combine(batch, loss, size)
            divergence = loss_divergence(epoch, step + 1, _lrate(optimizer), value)
            if divergence is not None:
                break
            loss.backward()
            last_rate = _lrate(optimizer)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            step += 1
            total += value * size
            seen += size
            if callback is not None:
                now = time.perf_counter()
                if now - last_tick >= TICK_SECONDS:
                    last_tick = now
                    callback(
                        Progress(
                            "step", epoch, self.epochs, batch, self.batches, step,
                            total / seen, seen / (now - started),
                        )
                    )  # fmt: skip
        seconds = time.perf_counter() - started
        return EpochOutcome(lrate, last_rate, total, seen, seconds, step, divergence)
