"""The Optuna study a sweep's workers share: where it is stored, how it is found again, and how
trials of dead workers are given back.

NOTE [study storage]: the study lives in Optuna's RDB storage: by default the SQLite file
``OUT/optuna.sqlite`` beside ``runs.sqlite``, or any ``--storage`` URL (``postgresql://…`` for
workers on several machines). Each change of a trial is one SQL transaction, so a worker killed
by SIGKILL leaves the study consistent (SQLite's journal rolls a half-made write back on the next
open); concurrent workers queue on the database's locks (a 60 s busy timeout for SQLite). The
journal-file storage was not chosen: its lock is a file that a killed holder leaves behind,
to be broken only after a grace period.

NOTE [dead trials]: a trial a worker was running when it died stays ``RUNNING`` in the study.
Every worker, before taking a trial, fails such trials and queues their parameters again as a
new trial (Optuna's ``enqueue_trial``), so they are re-run and never lost: a trial recorded by
this host whose process is gone (NOTE [process identity]) at once, a trial of another host once
its heartbeat (every ``HEARTBEAT_S`` seconds while it runs) is older than ``GRACE_S``
(``optuna.storages.fail_stale_trials``). Only the worker whose update moved the trial from
``RUNNING`` to ``FAIL`` queues it again (Optuna refuses the second update), so two workers never
both re-run it.

NOTE [grid queue]: a grid sweep puts every grid point into the study's queue once, when the
study is created (the creator then marks the study ``ready``; a worker that finds it not ready
waits for that, and completes a queue whose creator died). A worker takes queued trials only,
so each point runs exactly once however many workers share the study; Optuna's GridSampler was
not used because two of its workers may pick the same point.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from descentlab.store.processes import current_process, process_gone
from descentlab.sweeps.sweep_file import SweepSpec
from descentlab.validation import InputValueError

__all__ = [
    "GRACE_S",
    "HEARTBEAT_S",
    "OUTCOME",
    "STUDY_FILE",
    "Heartbeat",
    "ask",
    "default_storage",
    "mark_owner",
    "open_study",
    "quiet_optuna",
    "reap_dead_trials",
    "redacted",
    "requeue",
    "study_name",
]

STUDY_FILE = "optuna.sqlite"
HEARTBEAT_S = 5
GRACE_S = 30
_CREATE_TRIES = 5
_READY = "descentlab_ready"
OUTCOME = "outcome"  # user attribute of a trial that ran to its end: its sweep state


def default_storage(root: Path) -> str:
    return f"sqlite:///{(root / STUDY_FILE).resolve()}"


def redacted(url: str) -> str:
    """``url`` without its password (what is stored and printed)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def study_name(spec: SweepSpec) -> str:
    """The study is named by the file's resolved content alone (NOTE [sweep identity]), so workers
    on other machines (other ``--out`` folders) with the same file and ``--storage`` share it."""
    return f"descentlab-{spec.content_key()[:16]}"


def _storage(url: str) -> Any:
    import optuna

    if not url.startswith(("sqlite:", "postgresql", "mysql")):
        raise InputValueError(
            f"storage must be a database URL (sqlite:///PATH or postgresql://USER@HOST/DB), "
            f"got {redacted(url)!r}"
        )
    given, engine = url, {"pool_pre_ping": True}
    if url.startswith("postgresql://"):
        url = "postgresql+" + _postgres_driver() + url[len("postgresql") :]
    if url.startswith("sqlite:"):
        engine = {"connect_args": {"timeout": 60}}
    for attempt in range(_CREATE_TRIES):
        try:
            with quiet_optuna():
                return optuna.storages.RDBStorage(
                    url,
                    engine_kwargs=engine,
                    heartbeat_interval=HEARTBEAT_S,
                    grace_period=GRACE_S,
                    heartbeat_stale_trial_callback=requeue,
                )
        except Exception as error:  # the driver's own errors: an unreachable server, a bad URL
            # workers starting together race to create Optuna's tables: the losers retry
            racing = type(error).__name__ in ("IntegrityError", "ProgrammingError")
            if racing and attempt + 1 < _CREATE_TRIES:
                time.sleep(0.5 * (attempt + 1))
                continue
            first = str(error).splitlines()[0] if str(error) else ""
            raise InputValueError(
                f"storage must be a reachable database, got {redacted(given)!r} "
                f"({type(error).__name__}: {first})"
            ) from None
    raise AssertionError("unreachable")


def _postgres_driver() -> str:
    """The installed PostgreSQL driver for a plain ``postgresql://`` URL: psycopg (3) where it
    is installed, else psycopg2 (SQLAlchemy 2.1 assumes psycopg for a URL without a driver)."""
    import importlib.util

    return "psycopg" if importlib.util.find_spec("psycopg") else "psycopg2"


def _sampler(spec: SweepSpec) -> Any:
    import optuna

    if spec.sampler == "tpe":
        return optuna.samplers.TPESampler(seed=spec.seed)
    return optuna.samplers.RandomSampler(seed=spec.seed)  # grid trials come from the queue


def _pruner(spec: SweepSpec) -> Any:
    import optuna

    if spec.pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
    if spec.pruner == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    return optuna.pruners.NopPruner()


def open_study(spec: SweepSpec, url: str, *, wait_s: float = 60.0) -> Any:
    """The sweep's study in ``url``: created (with a grid's queue, NOTE [grid queue]) by the
    first worker, loaded by the others."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = _storage(url)
    name = study_name(spec)
    try:
        study = optuna.create_study(
            storage=storage,
            study_name=name,
            sampler=_sampler(spec),
            pruner=_pruner(spec),
            direction=spec.direction,
        )
    except optuna.exceptions.DuplicatedStudyError:
        study = optuna.load_study(
            storage=storage, study_name=name, sampler=_sampler(spec), pruner=_pruner(spec)
        )
        deadline = time.monotonic() + wait_s
        while not study.user_attrs.get(_READY) and time.monotonic() < deadline:
            time.sleep(0.5)
        if study.user_attrs.get(_READY):
            return study
    _fill_queue(study, spec)
    return study


def _fill_queue(study: Any, spec: SweepSpec) -> None:
    """Queue each grid point no trial has yet, then mark the study ready."""
    if spec.sampler == "grid":
        seen = {_key(t.params or t.system_attrs.get("fixed_params", {})) for t in study.trials}
        for point in spec.grid_points():
            if _key(point) not in seen:
                study.enqueue_trial(point)
    study.set_user_attr(_READY, True)


def _key(params: dict[str, Any]) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in params.items()))


def mark_owner(trial: Any) -> None:
    """Record this process as the trial's runner (NOTE [dead trials])."""
    pid, host, start = current_process()
    trial.set_user_attr("pid", pid)
    trial.set_user_attr("host", host)
    trial.set_user_attr("process_start", start)


def requeue(study: Any, trial: Any) -> None:
    """Queue a failed trial's parameters again as a new trial (a live or a frozen trial)."""
    params = trial.params or getattr(trial, "system_attrs", {}).get("fixed_params")
    if params:
        study.enqueue_trial(dict(params), user_attrs={"retry_of": trial.number})


def reap_dead_trials(study: Any) -> list[int]:
    """Fail and queue again the trials whose worker is gone (NOTE [dead trials]); returns their
    numbers."""
    import optuna
    from optuna.trial import TrialState

    storage = study._storage
    reaped: list[int] = []
    for frozen in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        attrs = frozen.user_attrs
        if not process_gone(attrs.get("pid"), attrs.get("host"), attrs.get("process_start")):
            continue
        try:
            storage.set_trial_state_values(frozen._trial_id, state=TrialState.FAIL)
        except optuna.exceptions.UpdateFinishedTrialError:
            continue  # another worker got there first and queued it
        requeue(study, frozen)
        reaped.append(frozen.number)
    with quiet_optuna():
        optuna.storages.fail_stale_trials(study)  # other hosts: calls requeue for each it failed
    return reaped


@contextmanager
def quiet_optuna() -> Iterator[None]:
    """Without Optuna's warnings that the heartbeat is meant for ``Study.optimize`` and that
    ``fail_stale_trials`` is experimental: this package drives both on purpose."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed")
        yield


def ask(study: Any) -> Any:
    """A new trial of the study: a queued one first, else one its sampler draws."""
    with quiet_optuna():
        return study.ask()


class Heartbeat:
    """Records the trial's heartbeat every ``HEARTBEAT_S`` seconds while it runs."""

    def __init__(self, study: Any, trial: Any) -> None:
        self._storage = study._storage
        self._trial_id = trial._trial_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        while True:
            self._storage.record_heartbeat(self._trial_id)
            if self._stop.wait(HEARTBEAT_S):
                return

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
