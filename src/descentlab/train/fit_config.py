"""The settings of one :func:`descentlab.train.fit` call: a frozen dataclass checked once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from descentlab.store.jsonsafe import plain
from descentlab.torch_device import DEVICES
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_bool,
    check_choice,
    check_positive_int,
    describe,
)

__all__ = ["SCHEDULER_UNITS", "FitConfig"]

SCHEDULER_UNITS = ("epoch", "step")


@dataclass(frozen=True)
class FitConfig:
    """How long and how :func:`~descentlab.train.fit.fit` trains, and what it keeps.

    Args:
        epochs: number of epochs (> 0).
        scheduler_unit: ``epoch`` or ``step``: how often a scheduler other than
            ``ReduceLROnPlateau`` steps (that one steps once per epoch on the watched loss).
        device: ``auto``, ``cpu`` or ``cuda``.
        patience: early stopping: stop after this many epochs (> 0) without a strictly lower
            validation loss than the best so far (needs validation data); None never stops.
        checkpoint: checkpoint file, written every ``checkpoint_every`` epochs and at the end
            (NOTE [atomic checkpoint]); None writes none.
        checkpoint_every: epochs between checkpoints (> 0).
        resume: continue from ``checkpoint`` (NOTE [resume]); ``run_config`` must equal the one
            stored in it.
        run_config: the resolved run config (a dict, made JSON-ready here), stored in
            checkpoints.

    Every field is checked on construction; a bad one raises an ``InputError`` naming it.
    """

    epochs: int
    scheduler_unit: str = "epoch"
    device: str = "auto"
    patience: int | None = None
    checkpoint: Path | None = None
    checkpoint_every: int = 1
    resume: bool = False
    run_config: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        check_positive_int("epochs", self.epochs)
        check_choice("scheduler_unit", self.scheduler_unit, SCHEDULER_UNITS)
        check_choice("device", self.device, DEVICES)
        if self.patience is not None:
            check_positive_int("patience", self.patience)
        if self.checkpoint is not None:
            if not isinstance(self.checkpoint, str | os.PathLike):
                raise InputTypeError(
                    f"checkpoint must be a file path (str or pathlib.Path) or None, "
                    f"got {describe(self.checkpoint)}"
                )
            object.__setattr__(self, "checkpoint", Path(self.checkpoint))
        check_positive_int("checkpoint_every", self.checkpoint_every)
        check_bool("resume", self.resume)
        if self.resume and self.checkpoint is None:
            raise InputValueError(
                "resume needs a checkpoint path, got resume=True with checkpoint=None"
            )
        if self.run_config is not None:
            if not isinstance(self.run_config, dict):
                raise InputTypeError(
                    f"run_config must be a dict (the resolved run config) or None, "
                    f"got {describe(self.run_config)}"
                )
            object.__setattr__(self, "run_config", plain(self.run_config))
