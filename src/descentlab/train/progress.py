"""A one-line progress bar for a terminal, fed by :class:`descentlab.train.fit.Progress` events.

The library never prints: the command line builds a :class:`ProgressBar` on ``sys.stderr``
(only when it is a terminal and ``--json`` is off) and passes it to ``fit`` as the callback.
"""

from __future__ import annotations

import time
from typing import TextIO

from descentlab.train.fit import Progress

__all__ = ["ProgressBar"]

_WIDTH = 24


class ProgressBar:
    """Redraws one line on ``stream``; stays silent for runs shorter than ``delay`` seconds."""

    def __init__(self, stream: TextIO, *, delay: float = 1.0) -> None:
        self.stream = stream
        self.delay = delay
        self.started = time.perf_counter()
        self.drawn = False

    def __call__(self, event: Progress) -> None:
        if time.perf_counter() - self.started < self.delay:
            return
        total = event.epochs * event.batches
        done = (event.epoch - 1) * event.batches + event.batch
        filled = round(_WIDTH * done / total)
        bar = "#" * filled + "." * (_WIDTH - filled)
        line = (
            f"\r[{bar}] epoch {event.epoch}/{event.epochs} batch {event.batch}/{event.batches} "
            f"loss {event.loss:.4g} {event.samples_per_second:,.0f} samples/s"
        )
        self.stream.write(line)
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """End the line (if one was drawn)."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
