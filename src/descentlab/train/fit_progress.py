"""What :func:`descentlab.train.fit.fit` tells its callback while it runs."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TICK_SECONDS", "Progress", "StopFit"]

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


class StopFit(Exception):  # noqa: N818 (a request, not an error)
    """Raised by a callback on an ``epoch`` event to end the run there, as finished early with
    this exception's text as the run's message (a sweep's pruner, NOTE [pruned trials] in
    ``descentlab.sweeps``). The epoch it was raised on is recorded like the others."""
