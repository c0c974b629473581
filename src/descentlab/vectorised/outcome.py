"""Per-configuration histories of a group, and where each configuration diverged.

The histories have the trainer's shape (``train.fit.FitResult.history``): one value per epoch
for ``epoch``, ``train_loss``, ``lrate`` and the ``val_*`` metrics. The wall-clock keys
(``seconds``, ``samples_per_second``) are left out: a group's time is shared by its K
configurations, so no single one of them has a time of its own.

Divergence follows NOTE [divergence] in ``train/fit.py`` for each configuration on its own: a
non-finite batch loss stops it before that batch's update, its epoch is recorded with a NaN
training loss and its validation metrics, and nothing after; a non-finite validation loss (the
training loss without validation data) after an epoch stops it at that epoch's last step. The
other configurations go on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from descentlab.divergence import Divergence

__all__ = ["GroupRecorder", "GroupResult"]


@dataclass(frozen=True)
class GroupResult:
    """One configuration of a vectorised group: ``status`` is ``finished`` or ``diverged``,
    ``history`` one list per metric (one value per epoch run), ``final`` the last epoch's values,
    ``message`` the divergence sentence (NOTE [divergence report]) or None, ``divergence`` the
    :class:`~descentlab.divergence.Divergence` itself (epoch, step, rate, loss) for storing."""

    status: str
    history: dict[str, list[float]]
    final: dict[str, float]
    message: str | None = None
    divergence: Divergence | None = field(default=None, compare=False)


class GroupRecorder:
    """Collects each epoch of K configurations and decides which of them are still running."""

    def __init__(self, lrates: tuple[float, ...], batches: int) -> None:
        self.lrates = lrates
        self.batches = batches
        self.running = np.ones(len(lrates), dtype=bool)
        self.histories: list[dict[str, list[float]]] = [{} for _ in lrates]
        self.divergences: list[Divergence | None] = [None] * len(lrates)

    def record_epoch(
        self,
        epoch: int,
        mean_losses: np.ndarray,
        stopped_at: np.ndarray,
        stopped_loss: np.ndarray,
        validation: dict[str, np.ndarray],
    ) -> None:
        """Record ``epoch`` (1-based) for the running configurations.

        ``mean_losses[k]`` is the epoch's mean training loss, ``stopped_at[k]`` the 1-based batch
        whose loss was not finite (0 when none was) and ``stopped_loss[k]`` that loss;
        ``validation`` maps ``val_*`` names to one value per configuration.
        """
        for k in np.flatnonzero(self.running):
            lrate = self.lrates[k]
            batch = int(stopped_at[k])
            train_loss = math.nan if batch else float(mean_losses[k])
            record = {"epoch": float(epoch), "train_loss": train_loss, "lrate": lrate}
            record.update({name: float(values[k]) for name, values in validation.items()})
            history = self.histories[k]
            for name, value in record.items():
                history.setdefault(name, []).append(value)
            done = (epoch - 1) * self.batches
            if batch:
                divergence = Divergence(epoch, done + batch, lrate, float(stopped_loss[k]))
            else:
                watched = record.get("val_loss", train_loss)
                finite = math.isfinite(watched)
                divergence = (
                    None if finite else Divergence(epoch, done + self.batches, lrate, watched)
                )
            if divergence is not None:
                self.divergences[k] = divergence
                self.running[k] = False

    def results(self) -> list[GroupResult]:
        """One :class:`GroupResult` per configuration, in the trials' order."""
        results = []
        for history, divergence in zip(self.histories, self.divergences, strict=True):
            results.append(
                GroupResult(
                    status="finished" if divergence is None else "diverged",
                    history=history,
                    final={name: values[-1] for name, values in history.items()},
                    message=None if divergence is None else divergence.sentence(),
                    divergence=divergence,
                )
            )
        return results
