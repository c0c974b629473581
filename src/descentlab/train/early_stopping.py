"""Early stopping: the best watched loss so far and how many epochs have not beaten it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["EarlyStopping"]


@dataclass
class EarlyStopping:
    """Counts epochs without a strictly lower loss than the best so far.

    ``update`` returns True once ``patience`` such epochs have passed in a row (never when
    ``patience`` is None: the best epoch is still tracked and reported). The counters go into
    checkpoints (``as_state``/``from_state``) so that a resumed run stops where an uninterrupted
    one would.
    """

    patience: int | None = None
    best: float = math.inf
    best_epoch: int | None = None
    bad_epochs: int = 0

    def update(self, epoch: int, loss: float) -> bool:
        """Record ``epoch``'s watched ``loss``; True when the run should stop after it."""
        if loss < self.best:
            self.best, self.best_epoch, self.bad_epochs = loss, epoch, 0
        else:
            self.bad_epochs += 1
        return self.patience is not None and self.bad_epochs >= self.patience

    def as_state(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch, "bad_epochs": self.bad_epochs}

    @classmethod
    def from_state(cls, patience: int | None, state: dict[str, Any]) -> EarlyStopping:
        return cls(patience, state["best"], state["best_epoch"], state["bad_epochs"])
