"""One sweep worker: take the study's next trial, run it, tell the study, until none is left.

NOTE [sweep identity]: running the same file again continues the same sweep. The study's name
is the SHA-256 of the file's resolved content (run, fixed settings, space, sampler, pruner,
objective, direction, seed, vectorize; values as parsed, so ``1e-3`` and ``0.001`` are the same
file), and the default study file lives in the ``--out`` folder: file + out folder name one
sweep. With ``--storage`` the study is file + database, whatever the out folder, which is how
workers on several machines (each with its own out folder) share it. In the results store the
sweep's row is keyed by content + storage URL (password removed). Finished trials (complete,
pruned, diverged, failed) are never run again; a trial whose worker died is queued again (NOTE
[dead trials]). ``name`` and ``n_trials`` are not part of the identity: raising ``n_trials``
adds trials to the same sweep.

NOTE [worker runs]: every worker writes its runs into the results store of its own ``--out``
folder. On one machine the ``--workers N`` processes share ``OUT/runs.sqlite``: SQLite serialises
their short write transactions (``BEGIN IMMEDIATE``, a 30 s busy timeout; NOTE [read-only store]
says why it stays in rollback-journal mode rather than WAL). Workers on other machines keep their
own store beside their own out folder; the study in PostgreSQL is what they share, so the
results store stays an embedded file that can be copied, read offline and opened read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from descentlab.lifecycle.output_folder import prepare_output
from descentlab.lifecycle.run_lifecycle import STORE_NAME
from descentlab.sweeps.study import (
    OUTCOME,
    Heartbeat,
    ask,
    default_storage,
    mark_owner,
    open_study,
    reap_dead_trials,
    redacted,
    requeue,
    study_name,
)
from descentlab.sweeps.sweep_file import SweepSpec
from descentlab.sweeps.trial_run import TrialOutcome, run_trial

__all__ = ["SweepReport", "run_sweep_worker", "study_totals", "tell"]

_COUNTED = ("diverged", "failed")  # FAIL trials that ran to their end (not killed)


@dataclass(frozen=True)
class SweepReport:
    """What one worker did, and where the whole sweep stands."""

    sweep_id: int
    study: str
    storage: str
    ran: list[TrialOutcome]
    totals: dict[str, int]
    best: dict[str, Any] | None
    folder: Path
    notices: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "sweep_id": self.sweep_id,
            "study": self.study,
            "storage": self.storage,
            "ran": [t.as_json() for t in self.ran],
            "totals": self.totals,
            "best": self.best,
        }


def study_totals(study: Any) -> dict[str, int]:
    """The study's trials by sweep state (``waiting`` and ``running`` too; ``killed`` ones were
    queued again)."""
    from optuna.trial import TrialState

    totals = {s: 0 for s in ("complete", "pruned", "diverged", "failed", "running", "waiting")}
    for trial in study.get_trials(deepcopy=False):
        if trial.state == TrialState.COMPLETE:
            totals["complete"] += 1
        elif trial.state == TrialState.PRUNED:
            totals["pruned"] += 1
        elif trial.state == TrialState.RUNNING:
            totals["running"] += 1
        elif trial.state == TrialState.WAITING:
            totals["waiting"] += 1
        elif trial.user_attrs.get(OUTCOME) in _COUNTED:
            totals[trial.user_attrs[OUTCOME]] += 1
    return totals


def _requeued(number: int) -> str:
    return f"trial {number} was running in a worker that died: queued to run again"


def _next_trial(study: Any, spec: SweepSpec) -> Any:
    """The next trial to run, or None when the sweep needs no more from this worker: a queued
    one first (a grid point, a killed trial's retry), else (random, TPE) a new one while fewer
    than ``n_trials`` are done or running."""
    from optuna.trial import TrialState

    totals = study_totals(study)
    if not totals["waiting"]:
        if spec.sampler == "grid":
            return None
        started = sum(totals[s] for s in ("complete", "pruned", "diverged", "failed", "running"))
        if started >= spec.n_trials:
            return None
    trial = ask(study)
    if spec.sampler == "grid" and "fixed_params" not in _system_attrs(study, trial):
        # another worker took the last queued point between our look and our ask
        study.tell(trial, state=TrialState.FAIL)
        return None
    mark_owner(trial)
    return trial


def _system_attrs(study: Any, trial: Any) -> dict[str, Any]:
    return study._storage.get_trial(trial._trial_id).system_attrs


def run_sweep_worker(
    spec: SweepSpec,
    *,
    out: str | Path,
    storage: str | None = None,
    on_trial: Callable[[TrialOutcome], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> SweepReport:
    """Work on the sweep ``spec`` until its study needs nothing more; returns the report.

    ``storage`` is the study's database URL (default: ``OUT/optuna.sqlite``, NOTE [study
    storage]); runs go to ``OUT/runs.sqlite`` (NOTE [worker runs]). ``on_trial`` hears of each
    trial as it ends (``on_start`` of its number as it starts), ``on_notice`` of each dead
    worker's trial queued again. An interruption
    (SIGINT/SIGTERM) queues the running trial again and propagates; so does an input error
    (after the trial is recorded ``failed``).
    """
    from descentlab.store import ResultsStore

    root = prepare_output(out)
    url = storage or default_storage(root)
    study = open_study(spec, url)
    name = study_name(spec)
    store_path = root / STORE_NAME
    with ResultsStore(store_path) as store:
        sweep_id = store.register_sweep(
            f"{spec.content_key()}@{redacted(url)}",
            name=spec.name,
            target=spec.target,
            spec={**spec.resolved(), "n_trials": spec.n_trials, "source": spec.source},
            study=name,
            storage=redacted(url),
        )
        ran: list[TrialOutcome] = []
        notices: list[str] = []

        def reap() -> None:
            for number in reap_dead_trials(study):
                notices.append(_requeued(number))
                if on_notice is not None:
                    on_notice(notices[-1])

        reap()
        if spec.vectorize:
            from descentlab.sweeps.vectorised_group import run_vectorised

            ran = run_vectorised(
                spec, study, root=root, study_name=name, sweep_id=sweep_id, store=store
            )
        while not spec.vectorize:
            trial = _next_trial(study, spec)
            if trial is None:
                break
            if on_start is not None:
                on_start(trial.number)
            outcome = _run_one(spec, study, trial, root, name, sweep_id, store)
            ran.append(outcome)
            if on_trial is not None:
                on_trial(outcome)
            reap()
    return SweepReport(
        sweep_id=sweep_id,
        study=name,
        storage=redacted(url),
        ran=ran,
        totals=study_totals(study),
        best=_best(study),
        folder=root / "sweeps" / name,
        notices=notices,
    )


def _run_one(
    spec: SweepSpec, study: Any, trial: Any, root: Path, name: str, sweep_id: int, store: Any
) -> TrialOutcome:
    """Run one trial under its heartbeat and tell the study how it ended."""
    from optuna.trial import TrialState

    from descentlab.validation import InputError

    try:
        with Heartbeat(study, trial):
            outcome = run_trial(
                spec, trial, root=root, study=name, sweep_id=sweep_id, store_path=store.path
            )
    except KeyboardInterrupt:  # stopped by the user: run again next time
        study.tell(trial, state=TrialState.FAIL)
        requeue(study, trial)
        raise
    except Exception as error:  # the run is stored failed (NOTE [every exit]); the study too
        run_id = next(
            (r.id for r in store.sweep_runs(sweep_id) if r.sweep_trial == trial.number), None
        )
        message = f"{type(error).__name__}: {error}"
        outcome = TrialOutcome(trial.number, "failed", run_id, None, dict(trial.params), message)
        tell(study, trial, outcome, store)
        if isinstance(error, InputError):
            raise  # the file asks for something that cannot run: every trial would fail
        return outcome
    tell(study, trial, outcome, store)
    return outcome


def tell(study: Any, trial: Any, outcome: TrialOutcome, store: Any) -> None:
    """Tell the study how ``trial`` ended and record the sweep state with its run."""
    from optuna.trial import TrialState

    if outcome.state == "complete":
        study.tell(trial, outcome.value)
    elif outcome.state == "pruned":
        study.tell(trial, state=TrialState.PRUNED)
    else:
        trial.set_user_attr(OUTCOME, outcome.state)
        study.tell(trial, state=TrialState.FAIL)
    if outcome.run_id is not None:
        store.set_sweep_state(outcome.run_id, outcome.state)


def _best(study: Any) -> dict[str, Any] | None:
    from optuna.trial import TrialState

    done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not done:
        return None
    best = study.best_trial
    return {"trial": best.number, "value": best.value, "params": dict(best.params)}
