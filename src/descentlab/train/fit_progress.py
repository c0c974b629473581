"""What :func:`descentlab.train.fit.fit` tells its callback while it runs."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TICK_SECONDS", "Progress"]

TICK_SECONDS = 0.1


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
