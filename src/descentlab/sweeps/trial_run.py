"""One sweep trial: its parameters from Optuna, an ordinary run through the run lifecycle
(``run_training`` or ``run_experiment``, linked to the sweep: NOTE [sweep link]), its objective.

NOTE [pruned trials]: a ``train`` trial reports each epoch's validation metric (the objective's
name) to its Optuna trial; when the pruner says stop, the fit callback raises
:class:`~descentlab.train.fit_progress.StopFit`, so the run ends after that epoch as an
ordinary ``finished`` run with ``stopped_early`` and the message ``pruned at epoch N by the …
pruner``: its stored epochs are true results, not a failure. The study records the trial
``PRUNED`` and the store's ``sweep_state`` says ``pruned``. A diverged trial is stored
``diverged`` and told to Optuna as ``FAIL`` (its objective is not a number); the sweep goes on.

Each trial writes its files into ``OUT/sweeps/<study>/trial-NNNNN/`` (its own folder, so its
claim and checkpoint are its own) and its run into ``OUT/runs.sqlite``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from descentlab.store.sweep_table import objective_value
from descentlab.sweeps.sweep_file import Dimension, SweepSpec

__all__ = ["TrialOutcome", "run_trial", "suggest", "trial_folder"]


@dataclass(frozen=True)
class TrialOutcome:
    """How one trial ended: ``state`` is a sweep state (``complete``, ``pruned``,
    ``diverged``, ``failed``); ``value`` its objective (None unless a number came out)."""

    number: int
    state: str
    run_id: int | None
    value: float | None
    params: dict[str, Any]
    message: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"trial": self.number, "state": self.state, "run_id": self.run_id,
                "value": self.value, "params": self.params, "message": self.message}  # fmt: skip


def suggest(trial: Any, dimension: Dimension) -> Any:
    """The trial's value for ``dimension`` (a queued trial's fixed value, or sampled)."""
    if dimension.choices:
        return trial.suggest_categorical(dimension.name, dimension.texts())
    if dimension.distribution == "int":
        return trial.suggest_int(
            dimension.name, int(dimension.low), int(dimension.high), log=dimension.log
        )
    return trial.suggest_float(dimension.name, dimension.low, dimension.high, log=dimension.log)


def trial_folder(root: Path, study: str, number: int) -> Path:
    return root / "sweeps" / study / f"trial-{number:05d}"


def _pruning_callback(spec: SweepSpec, trial: Any) -> Any:
    if spec.pruner == "none":
        return None
    from descentlab.train.fit_progress import StopFit

    metric = spec.objective.split(".")[-1]

    def report(progress: Any) -> None:
        if progress.kind != "epoch":
            return
        value = progress.metrics.get(metric)
        if value is None or not math.isfinite(value):
            return
        trial.report(float(value), progress.epoch)
        if progress.epoch < progress.epochs and trial.should_prune():
            raise StopFit(f"pruned at epoch {progress.epoch} by the {spec.pruner} pruner")

    return report


def run_trial(
    spec: SweepSpec,
    trial: Any,
    *,
    root: Path,
    study: str,
    sweep_id: int,
    store_path: Path,
) -> TrialOutcome:
    """Run ``trial`` as an ordinary run; returns how it ended. Exceptions (interruptions,
    failures) propagate after the lifecycle stored the run's end (NOTE [every exit])."""
    texts = {d.name: suggest(trial, d) for d in spec.space}
    params = {k: _plain(spec.value_of(k, v)) for k, v in texts.items()}
    settings = spec.settings(texts)
    folder = trial_folder(root, study, trial.number)
    link = (sweep_id, trial.number, params)
    if spec.target == "train":
        from descentlab.train.session import run_training
        from descentlab.train.train_config import TrainConfig

        report = run_training(
            TrainConfig(**settings),
            out=folder,
            store_path=store_path,
            callback=_pruning_callback(spec, trial),
            sweep=link,
        )
        run_id, status, results, message = (
            report.run_id, report.status, report.results, report.message,
        )  # fmt: skip
        pruned = bool(results.get("stopped_early")) and (message or "").startswith("pruned")
    else:
        from descentlab.experiments.runner import run_experiment

        report = run_experiment(
            spec.target, out=folder, overrides=settings, store_path=store_path, sweep=link
        )
        run_id, status, results = report.run_ids[0], report.status, report.results
        message, pruned = "; ".join(report.messages) or None, False
    if status == "diverged":
        return TrialOutcome(trial.number, "diverged", run_id, None, params, message)
    value = objective_value(results, spec.objective)
    if pruned:
        return TrialOutcome(trial.number, "pruned", run_id, value, params, message)
    if value is None:
        return TrialOutcome(trial.number, "diverged", run_id, None, params, message)
    return TrialOutcome(trial.number, "complete", run_id, value, params, message)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
