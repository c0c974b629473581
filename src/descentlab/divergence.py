"""Where a run diverged, and the one line that tells the user.

NOTE [divergence report]: a diverging trajectory is a result, not an error. Every trainer (the
experiments and ``descentlab train``) reports its first non-finite loss the same way:

* ``epoch`` is the 1-based epoch during which the loss was first seen non-finite: a batch loss
  counts for the epoch it was drawn in, a full-data loss measured after epoch ``k`` for epoch
  ``k`` (0: the loss at the start already was). Running the same configuration for
  ``epoch - 1`` epochs therefore finishes, and for ``epoch`` epochs diverges;
* ``step`` is the 1-based update count there: the update whose batch loss was non-finite (it was
  not applied), or the last update made before a non-finite full-data loss;
* ``lrate`` is the learning rate that update used (a schedule's value at that step).

A run prints exactly one line for it: the sentence of its only trial, or, with several trials,
how many diverged and where. Full-batch descent makes one update per epoch, so its epoch and
step agree. This module is stdlib-only so that the trainer, the experiments and the figures
share it without importing each other.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Divergence",
    "divergence_line",
    "first_nonfinite",
    "full_batch_divergence",
    "minibatch_divergence",
]


@dataclass(frozen=True)
class Divergence:
    """The first non-finite loss of a trial (NOTE [divergence report]).

    ``loss`` is the non-finite value (or None when the trial diverged another way, said by
    ``reason``, e.g. leaving a function's domain); ``name`` is how a summary of several trials
    calls this one (default: by its rate).
    """

    epoch: int
    step: int
    lrate: float
    loss: float | None = math.inf
    name: str | None = None
    reason: str | None = None

    def sentence(self) -> str:
        """``diverged at epoch 2, step 14 with lrate 50 (loss inf)``."""
        return f"diverged at epoch {self.epoch}, step {self.step} with lrate {self.lrate:g} " + (
            f"({self._why()})"
        )

    def part(self) -> str:
        """This trial in a summary of several: ``lrate 1 at epoch 2 step 2``."""
        where = f"at epoch {self.epoch} step {self.step}"
        if self.name is None:
            return f"lrate {self.lrate:g} {where}"
        return f"{self.name} {where} with lrate {self.lrate:g}"

    def _why(self) -> str:
        return self.reason if self.reason is not None else f"loss {self.loss}"

    def as_json(self) -> dict[str, Any]:
        """A JSON-safe record (the non-finite loss as text: strict JSON has no ``inf``)."""
        return {
            "epoch": self.epoch,
            "step": self.step,
            "lrate": self.lrate,
            "loss": None if self.loss is None else str(self.loss),
            "name": self.name,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Divergence:
        loss = record.get("loss")
        return cls(
            epoch=int(record["epoch"]),
            step=int(record["step"]),
            lrate=float(record["lrate"]),
            loss=None if loss is None else float(loss),
            name=record.get("name"),
            reason=record.get("reason"),
        )


def divergence_line(divergences: Sequence[Divergence | None]) -> str | None:
    """The one line a run prints: one entry per trial (None where it did not diverge)."""
    diverged = [d for d in divergences if d is not None]
    if not diverged:
        return None
    if len(divergences) == 1:
        return diverged[0].sentence()
    parts = "; ".join(d.part() for d in diverged)
    return f"{len(diverged)} of {len(divergences)} trials diverged: {parts}"


def first_nonfinite(values: Sequence[float]) -> int | None:
    """Index of the first value that is not finite (None when all are)."""
    for index, value in enumerate(values):
        if not math.isfinite(value):
            return index
    return None


def full_batch_divergence(
    losses: Sequence[float], lrate: float, *, updates_per_epoch: int = 1, name: str | None = None
) -> Divergence | None:
    """From full-data losses at the start and after every epoch (``losses[k]`` after epoch
    ``k``): the first non-finite one, after ``k * updates_per_epoch`` updates."""
    k = first_nonfinite([float(v) for v in losses])
    if k is None:
        return None
    return Divergence(k, k * updates_per_epoch, lrate, float(losses[k]), name)


def minibatch_divergence(
    batch_losses: Sequence[float],
    epoch_losses: Sequence[float],
    lrate: float,
    *,
    name: str | None = None,
) -> Divergence | None:
    """From a mini-batch run that stopped at its first non-finite loss: ``batch_losses`` one
    per update (the stopping one last, if a batch loss stopped it) and ``epoch_losses`` the
    full-data loss at the start and after each completed epoch (the stopping one last, if a
    full-data loss stopped it)."""
    epoch_losses = [float(v) for v in epoch_losses]
    if epoch_losses and not math.isfinite(epoch_losses[-1]):
        epochs = len(epoch_losses) - 1
        return Divergence(epochs, len(batch_losses), lrate, epoch_losses[-1], name)
    if len(batch_losses) and not math.isfinite(float(batch_losses[-1])):
        return Divergence(
            len(epoch_losses), len(batch_losses), lrate, float(batch_losses[-1]), name
        )
    return None
