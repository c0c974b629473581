"""What an experiment is: a name, a config type and a pure ``run(config, data) -> Outcome``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from descentlab.divergence import Divergence, divergence_line
from descentlab.store.records import TrialRecord

if TYPE_CHECKING:  # NOTE [instant catalog]: the data package imports scikit-learn
    from descentlab.data import Dataset

__all__ = [
    "Experiment",
    "Outcome",
    "largest_finite_difference",
    "summarise_results",
    "trial_divergence",
    "trial_record",
]


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
        """The lines the CLI prints on stderr after the run: at most one, naming where the
        diverged trials diverged (NOTE [divergence report]); a trial that diverged without
        saying where contributes its own message to that line."""
        line = divergence_line([trial_divergence(t) for t in self.trials])
        if line is not None:
            return [line]
        notes = [f"{t.label}: {t.message}" for t in self.trials if t.message]
        return ["; ".join(notes)] if notes else []


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


def trial_record(
    label: str,
    config: dict[str, Any],
    metrics: dict[str, Any],
    summary: dict[str, Any],
    divergence: Divergence | None,
) -> TrialRecord:
    """A trial whose status follows ``divergence``: ``diverged`` with the record kept in its
    summary (for the run's one line and the figures' marks) and a stored message with a hint,
    else ``finished``."""
    summary = {**summary, "divergence": None if divergence is None else divergence.as_json()}
    return TrialRecord(
        label=label,
        config=config,
        status="finished" if divergence is None else "diverged",
        metrics=metrics,
        summary=summary,
        message=None if divergence is None else f"{divergence.sentence()}; try a smaller lrate",
    )


def trial_divergence(trial: Any) -> Divergence | None:
    """The divergence record of a stored or new trial (its ``summary`` or ``results``)."""
    summary = getattr(trial, "summary", None)
    if summary is None:
        summary = getattr(trial, "results", None) or {}
    record = summary.get("divergence") if isinstance(summary, dict) else None
    return None if record is None else Divergence.from_json(record)


def largest_finite_difference(*histories: tuple[np.ndarray, np.ndarray]) -> float:
    """The largest difference between two backends' ``(weights, losses)`` where both are finite,
    0 when nowhere: diverged runs agree on where they diverged, and inf − inf would be NaN."""
    (wa, la), (wb, lb) = histories
    gaps = [0.0]
    for one, other in ((wa, wb), (la, lb)):
        n = min(len(one), len(other))
        both = np.isfinite(one[:n]) & np.isfinite(other[:n])
        with np.errstate(over="ignore"):
            gaps.extend(np.abs(one[:n][both] - other[:n][both]).ravel().tolist())
    return float(max(gaps))
