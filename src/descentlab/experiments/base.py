"""What an experiment is: a name, a config type and a pure ``run(config, data) -> Outcome``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from descentlab.store.records import TrialRecord

if TYPE_CHECKING:  # NOTE [instant catalog]: the data package imports scikit-learn
    from descentlab.data import Dataset

__all__ = ["Experiment", "Outcome", "divergence_message", "summarise_results"]


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

    def messages(self) -> list[str]:
        """The lines the CLI prints on stderr after the run (divergence and other notices)."""
        return [f"{t.label}: {t.message}" for t in self.trials if t.message]


def summarise_results(results: dict[str, Any]) -> str:
    """One line from the usual result shapes: per-run final losses (named by label, lrate or
    batch size, with the measured behaviour when there is one), per-backend final losses, or a
    single final weight and loss."""
    if "runs" in results:
        parts = []
        for run in results["runs"]:
            if "label" in run:
                name = run["label"]
            else:
                key = "lrate" if "lrate" in run else "batch_size"
                name = f"{key} {run[key]:g}"
            extra = f" {run['behaviour']}" if "behaviour" in run else ""
            parts.append(f"{name}: loss {run['final_loss']:.4g}{extra}")
        return "; ".join(parts)
    if "final_losses" in results:
        return ", ".join(f"{k} loss {v:.6g}" for k, v in results["final_losses"].items())
    return f"final weight {results['final_weight']:.6g}, loss {results['final_loss']:.6g}"


@dataclass(frozen=True)
class Experiment:
    """A registered experiment. ``default_data`` builds the built-in data set from the config.

    ``headline(results)`` is the one-line summary ``descentlab run`` prints; the default,
    :func:`summarise_results`, reads the usual ``runs``/``final_loss`` results.
    """

    name: str
    spec: str
    summary: str
    config_type: type
    default_data: Callable[[Any], Dataset]
    run: Callable[[Any, Dataset], Outcome]
    headline: Callable[[dict[str, Any]], str] = summarise_results


def divergence_message(at: int | None, lrate: float, *, unit: str = "epoch") -> str | None:
    """The stored and printed explanation of a diverged trial (None when it did not diverge)."""
    if at is None:
        return None
    return f"loss became non-finite at {unit} {at} with lrate {lrate:g}; try a smaller lrate"
