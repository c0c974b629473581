"""When a learning-rate scheduler steps during :func:`descentlab.train.fit.fit`."""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["ScheduleStepping"]


class ScheduleStepping:
    """Steps ``scheduler`` once per update or once per epoch.

    ``ReduceLROnPlateau`` steps once per epoch on the watched loss whatever the ``unit``; any
    other scheduler once per ``unit`` (``epoch`` or ``step``). ``each_step`` is the scheduler to
    step after every update (None when it steps per epoch), read by the epoch's inner loop.
    """

    def __init__(self, scheduler: Any, unit: str) -> None:
        self.scheduler = scheduler
        self.plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
        per_step = scheduler is not None and not self.plateau and unit == "step"
        self.each_step = scheduler if per_step else None

    def after_epoch(self, watched: float) -> None:
        """Step a per-epoch scheduler (the plateau one on ``watched``)."""
        if self.scheduler is None or self.each_step is not None:
            return
        if self.plateau:
            self.scheduler.step(watched)
        else:
            self.scheduler.step()
