"""``vectorize = true``: the sweep's pending trials trained as one batched computation by
``descentlab.vectorised`` (imported on use; NOTE [group layer] there), each stored as an
ordinary ``train`` run.

The engine's interface: ``can_vectorise(fixed, space_names) -> str | None`` (None: it can, else
the reason) and ``train_group(fixed, trials) -> list[GroupResult]``, where ``fixed`` and each
trial hold ``TrainConfig`` field values (trials vary ``lrate``, ``momentum``, ``weight_decay``,
``seed``) and a ``GroupResult`` has ``status`` (``finished``/``diverged``), ``history`` (the
keys of ``FitResult.history``), ``final`` and ``message``. Every trial still goes through the
run lifecycle (NOTE [every exit]): claimed folder, ``running`` row, metrics, final status, files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from descentlab.store.sweep_table import objective_value
from descentlab.sweeps.sweep_file import SweepSpec
from descentlab.sweeps.trial_run import TrialOutcome, suggest, trial_folder
from descentlab.validation import InputValueError

__all__ = ["run_vectorised"]


def run_vectorised(
    spec: SweepSpec, study: Any, *, root: Path, study_name: str, sweep_id: int, store: Any
) -> list[TrialOutcome]:
    """Take every trial the sweep still needs, train them as one group, store each as a run."""
    from descentlab.sweeps.study import ask, mark_owner
    from descentlab.sweeps.worker import study_totals, tell

    if spec.target != "train":
        raise InputValueError(f"vectorize must be false for run {spec.target!r} (train only)")
    from descentlab import vectorised as engine

    names = [d.name for d in spec.space]
    fixed = spec.settings({})
    reason = engine.can_vectorise(fixed, names)
    if reason is not None:
        raise InputValueError(f"vectorize must be false for this sweep ({reason}), got true")
    totals = study_totals(study)
    wanted = totals["waiting"]
    if spec.sampler != "grid":
        started = sum(totals[s] for s in ("complete", "pruned", "diverged", "failed", "running"))
        wanted = max(wanted, spec.n_trials - started)
    trials = []
    for _ in range(wanted):
        trial = ask(study)
        mark_owner(trial)
        trials.append(trial)
    if not trials:
        return []
    texts = [{d.name: suggest(t, d) for d in spec.space} for t in trials]
    varied = [{k: spec.value_of(k, v) for k, v in t.items()} for t in texts]
    results = engine.train_group(fixed, varied)
    outcomes = []
    for trial, params, result in zip(trials, varied, results, strict=True):
        outcome = _store_trial(spec, trial, params, result, root, study_name, sweep_id, store)
        tell(study, trial, outcome, store)
        outcomes.append(outcome)
    return outcomes


def _store_trial(
    spec: SweepSpec,
    trial: Any,
    params: dict[str, Any],
    result: Any,
    root: Path,
    study_name: str,
    sweep_id: int,
    store: Any,
) -> TrialOutcome:
    """One group member as an ordinary ``train`` run, through the run lifecycle."""
    from descentlab.lifecycle.run_lifecycle import RunLifecycle
    from descentlab.provenance import device_description, library_versions
    from descentlab.store.jsonsafe import plain
    from descentlab.train.train_config import TrainConfig

    config = TrainConfig(**spec.settings({k: _text(spec, k, v) for k, v in params.items()}))
    resolved = plain({**config.as_dict(), "vectorised": True})
    results = plain({
        "status": result.status, "message": result.message, "history": result.history,
        "final": result.final, "vectorised": True,
        "epochs_run": len(result.history.get("epoch", [])),
    })  # fmt: skip
    folder = trial_folder(root, study_name, trial.number)
    link = (sweep_id, trial.number, plain(params))
    with RunLifecycle(folder, "train", store_path=store.path, sweep=link) as life:
        run_id = life.begin(
            "train",
            config=resolved,
            seed=config.seed,
            versions=library_versions(),
            device=device_description("cpu"),
            label=f"{config.model} {config.task} vectorised",
        )
        epochs = len(next(iter(result.history.values()), []))
        for step in range(epochs):
            life.store.log_metrics(
                run_id, step, {k: float(v[step]) for k, v in result.history.items()}
            )
        life.complete(status=result.status, results=results, message=result.message)
        life.write_files(config=resolved, results=results)
    if result.status == "diverged":
        return TrialOutcome(trial.number, "diverged", run_id, None, plain(params), result.message)
    value = objective_value(results, spec.objective)
    state = "complete" if value is not None else "diverged"
    return TrialOutcome(trial.number, state, run_id, value, plain(params), result.message)


def _text(spec: SweepSpec, name: str, value: Any) -> Any:
    """A parameter back in the form :meth:`SweepSpec.settings` reads (a choice's text)."""
    dimension = next(d for d in spec.space if d.name == name)
    if dimension.choices:
        return dimension.texts()[list(dimension.choices).index(value)]
    return value
