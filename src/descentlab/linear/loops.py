"""The gradient-descent loops, written once for every backend.

A backend supplies three small kernels over its own array type: ``step(X, y, w, lrate)`` returning
``(new_w, loss_at_w)``, ``loss(X, y, w)`` and ``take(A, idx)`` (row gather). Inputs are already
checked and shaped ``X (m, n)``, ``y (m, 1)``, ``w (n, 1)``; every step creates a new weight, so
history entries are distinct objects (never one array updated in place).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.linear.batches import batch_indices

Step = Callable[[Any, Any, Any, float], tuple[Any, float]]
Loss = Callable[[Any, Any, Any], float]
Take = Callable[[Any, np.ndarray], Any]


@dataclass(frozen=True)
class Trajectory:
    weights: list[Any]
    losses: list[float]
    status: str
    diverged_at: int | None
    converged: bool | None = None


@dataclass(frozen=True)
class BatchTrajectory:
    weights: list[Any]
    batch_losses: list[float]
    epoch_losses: list[float]
    steps_per_epoch: int
    status: str
    diverged_at: int | None


def run_gd(
    step: Step,
    loss: Loss,
    X: Any,
    y: Any,
    w0: Any,
    epochs: int,
    lrate: float,
    *,
    rtol: float | None = None,
) -> Trajectory:
    """Full-batch GD for ``epochs`` steps; with ``rtol``, stop once two consecutive losses agree.

    Early stopping: after computing the loss at ``w_k``, stop when
    ``|L_k - L_{k-1}| <= rtol * |L_{k-1}|``; ``w_k`` is then the last weight kept.
    """
    weights = [w0]
    losses: list[float] = []
    w = w0
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            new_w, value = step(X, y, w, lrate)
            losses.append(value)
            if not math.isfinite(value):
                return Trajectory(weights, losses, "diverged", epoch)
            if rtol is not None and epoch > 0 and abs(value - losses[-2]) <= rtol * abs(losses[-2]):
                return Trajectory(weights, losses, "finished", None, converged=True)
            w = new_w
            weights.append(w)
        final = loss(X, y, w)
        losses.append(final)
    if not math.isfinite(final):
        return Trajectory(weights, losses, "diverged", epochs)
    converged = None
    if rtol is not None:
        converged = abs(final - losses[-2]) <= rtol * abs(losses[-2])
    return Trajectory(weights, losses, "finished", None, converged=converged)


def run_minibatch(
    step: Step,
    loss: Loss,
    take: Take,
    X: Any,
    y: Any,
    w0: Any,
    batch_size: int,
    epochs: int,
    lrate: float,
    rng: np.random.Generator | None,
    drop_last: bool,
) -> BatchTrajectory:
    """Mini-batch SGD; a non-finite batch or epoch loss stops the run as diverged."""
    m = X.shape[0]
    weights = [w0]
    batch_losses: list[float] = []
    w = w0
    with np.errstate(over="ignore", invalid="ignore"):
        epoch_losses = [loss(X, y, w0)]
        per_epoch = 0
        for _ in range(epochs):
            per_epoch = 0
            for idx in batch_indices(m, batch_size, rng=rng, drop_last=drop_last):
                new_w, value = step(take(X, idx), take(y, idx), w, lrate)
                batch_losses.append(value)
                per_epoch += 1
                if not math.isfinite(value):
                    return BatchTrajectory(
                        weights,
                        batch_losses,
                        epoch_losses,
                        per_epoch,
                        "diverged",
                        len(batch_losses) - 1,
                    )
                w = new_w
                weights.append(w)
            epoch_losses.append(loss(X, y, w))
            if not math.isfinite(epoch_losses[-1]):
                return BatchTrajectory(
                    weights, batch_losses, epoch_losses, per_epoch, "diverged", len(batch_losses)
                )
    return BatchTrajectory(weights, batch_losses, epoch_losses, per_epoch, "finished", None)
