"""The trainer's checkpoints: when one is written, what goes in, and how a run resumes from one.

NOTE [resume]: checkpoints are taken at epoch boundaries. A checkpoint holds everything the
next epoch depends on (NOTE [atomic checkpoint]), including the state of the loader's
``torch.Generator``, so a run resumed from epoch k draws the same batch orders for epochs
k+1, k+2, … as an uninterrupted run and, on CPU, ends with bit-identical parameters. Work done
after the last checkpoint (part of an epoch) is repeated on resume.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from descentlab.train.checkpoint import (
    capture_rng,
    check_same_config,
    load_checkpoint,
    restore_rng,
    save_checkpoint,
)

__all__ = ["CheckpointPolicy", "Trainee", "loader_generator"]

FORMAT = 1


def loader_generator(loader: Any) -> torch.Generator | None:
    """The loader's ``generator`` when it is a ``torch.Generator`` (its state is checkpointed)."""
    generator = getattr(loader, "generator", None)
    return generator if isinstance(generator, torch.Generator) else None


@dataclass(frozen=True)
class Trainee:
    """The stateful objects of a run that a checkpoint saves and restores."""

    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: Any = None
    generator: torch.Generator | None = None


@dataclass(frozen=True)
class CheckpointPolicy:
    """Writes ``path`` every ``every`` epochs and after the last one (NOTE [resume])."""

    path: Path
    every: int = 1
    run_config: dict[str, Any] | None = None

    def due(self, epoch: int, *, last: bool) -> bool:
        """Whether a checkpoint is written after ``epoch`` (``last``: the run ends there)."""
        return epoch % self.every == 0 or last

    def payload(
        self,
        trainee: Trainee,
        *,
        history: dict[str, list[float]],
        state: dict[str, Any],
        finished: bool,
    ) -> dict[str, Any]:
        """What a checkpoint of the run as it stands holds."""
        scheduler = trainee.scheduler
        return {
            "format": FORMAT,
            "config": self.run_config,
            "finished": finished,
            "model": trainee.model.state_dict(),
            "optimizer": trainee.optimizer.state_dict(),
            "scheduler": None if scheduler is None else scheduler.state_dict(),
            "rng": capture_rng(trainee.generator),
            "history": history,
            "state": dict(state),
        }

    def save(self, payload: dict[str, Any], **extra: Any) -> None:
        """Write ``payload`` (and ``extra`` entries) to the checkpoint file, atomically."""
        save_checkpoint(self.path, {**payload, **extra})

    def write(
        self,
        trainee: Trainee,
        *,
        history: dict[str, list[float]],
        state: dict[str, Any],
        finished: bool,
    ) -> None:
        """Save the run as it stands; ``state`` holds the loop's counters (epoch, step and the
        early-stopping state); ``finished`` marks a run there is nothing to resume of."""
        self.save(self.payload(trainee, history=history, state=state, finished=finished))

    def load_into(
        self, trainee: Trainee
    ) -> tuple[dict[str, list[float]], dict[str, Any], dict[str, Any]]:
        """Load the checkpoint into ``trainee`` and every random state; returns the history,
        the loop's counters and the whole payload."""
        saved = load_checkpoint(self.path)
        if self.run_config is not None:
            check_same_config(saved["config"], self.run_config)
        trainee.model.load_state_dict(saved["model"])
        trainee.optimizer.load_state_dict(saved["optimizer"])
        if trainee.scheduler is not None and saved["scheduler"] is not None:
            trainee.scheduler.load_state_dict(saved["scheduler"])
        restore_rng(saved["rng"], trainee.generator)
        history = {name: list(values) for name, values in saved["history"].items()}
        return history, saved["state"], saved

    def restore(self, trainee: Trainee) -> tuple[dict[str, list[float]], dict[str, Any]]:
        """Load the checkpoint into ``trainee`` and every random state; returns the history and
        the loop's counters. The stored run config must equal ``run_config`` (when given)."""
        history, state, _ = self.load_into(trainee)
        return history, state
