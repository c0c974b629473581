"""Plain records going into and coming out of the results store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

STATUSES = ("running", "finished", "diverged", "failed", "interrupted")
"""``running`` first; the others are final. ``interrupted``: stopped by a signal, or its process
ended without finishing (marked by the next writer, NOTE [process identity])."""


@dataclass(frozen=True)
class TrialRecord:
    """One configuration's outcome, ready to store: metrics are 1-D float series by name."""

    label: str
    config: dict[str, Any]
    status: str
    metrics: dict[str, np.ndarray]
    summary: dict[str, Any] = field(default_factory=dict)
    message: str | None = None


@dataclass(frozen=True)
class StoredRun:
    """A row of the ``runs`` table, decoded."""

    id: int
    parent_id: int | None
    experiment: str
    label: str
    status: str
    seed: int | None
    config: dict[str, Any]
    versions: dict[str, str]
    device: str
    results: dict[str, Any]
    plot_data: dict[str, Any]
    message: str | None
    started_at: str
    ended_at: str | None
    pid: int | None
    host: str | None
    process_start: str | None = None
    sweep_id: int | None = None
    sweep_trial: int | None = None
    sweep_params: dict[str, Any] | None = None
    sweep_state: str | None = None


SWEEP_STATES = ("complete", "pruned", "diverged", "failed")
"""A sweep trial's end as its sweep counts it (NOTE [sweep link]): ``pruned`` runs are stored
``finished`` (they stopped early, their epochs are valid), ``diverged`` ones ``diverged``."""


@dataclass(frozen=True)
class StoredSweep:
    """A row of the ``sweeps`` table, decoded: ``spec`` is the resolved sweep file."""

    id: int
    key: str
    name: str
    target: str
    spec: dict[str, Any]
    study: str
    storage: str
    created_at: str


@dataclass(frozen=True)
class StoredExperiment:
    """An experiment run with its trials and their metrics: all a figure needs."""

    run: StoredRun
    trials: list[StoredRun]
    metrics: dict[int, dict[str, np.ndarray]]

    def trial_metrics(self, trial: StoredRun) -> dict[str, np.ndarray]:
        return self.metrics.get(trial.id, {})
