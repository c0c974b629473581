"""What an experiment is: a name, a config type and a pure ``run(config, data) -> Outcome``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from descentlab.data import Dataset
from descentlab.store.records import TrialRecord

__all__ = ["Experiment", "Outcome", "divergence_message"]


@dataclass(frozen=True)
class Outcome:
    """Everything a run produced: ``results`` (the ``--json`` payload), one record per trial
    (configuration) with its metrics, and ``plot_data`` — the extra numbers figures need (a loss
    curve over a weight grid, the data points), so figures are drawn from the store alone."""

    results: dict[str, Any]
    trials: list[TrialRecord]
    plot_data: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """``diverged`` when every trial diverged, else ``finished``."""
        if self.trials and all(t.status == "diverged" for t in self.trials):
            return "diverged"
        return "finished"


@dataclass(frozen=True)
class Experiment:
    """A registered experiment. ``default_data`` builds the built-in data set from the config.

    ``headline(results)``, when given, is the one-line summary ``descentlab run`` prints; without
    it the CLI summarises the usual ``runs``/``final_loss`` results itself.
    """

    name: str
    spec: str
    summary: str
    config_type: type
    default_data: Callable[[Any], Dataset]
    run: Callable[[Any, Dataset], Outcome]
    headline: Callable[[dict[str, Any]], str] | None = None


def divergence_message(at: int | None, lrate: float, *, unit: str = "epoch") -> str | None:
    """The stored and printed explanation of a diverged trial (None when it did not diverge)."""
    if at is None:
        return None
    return f"loss became non-finite at {unit} {at} with lrate {lrate:g}; try a smaller lrate"
