"""The results store: every run, its config, provenance, status and metrics, in one SQLite file.

NOTE [atomic runs]: a run is inserted as ``running`` and committed at once, so a run that is
killed midway stays visible as ``running`` (its process id tells whether it is still alive).
Everything it produced — trials, metrics, results and the final status — is written later in a
single transaction, so a run is never half-written as finished.

A long run (``descentlab train``) also logs its per-epoch metrics as it goes with
:meth:`ResultsStore.log_metrics`, one committed transaction per epoch, so a killed run keeps the
epochs it finished; a resumed run rewrites the epochs it repeats with the same values. Such a run
is still marked finished only by :meth:`ResultsStore.complete_run`.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from descentlab.store.jsonsafe import dumps
from descentlab.store.records import STATUSES, StoredExperiment, StoredRun, TrialRecord
from descentlab.validation import InputValueError, check_choice

__all__ = ["ResultsStore"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id INTEGER REFERENCES runs(id),
    experiment TEXT NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'diverged', 'failed')),
    seed INTEGER,
    config TEXT NOT NULL,
    versions TEXT NOT NULL,
    device TEXT NOT NULL,
    results TEXT NOT NULL DEFAULT '{}',
    plot_data TEXT NOT NULL DEFAULT '{}',
    message TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    pid INTEGER,
    host TEXT
);
CREATE TABLE IF NOT EXISTS metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    name TEXT NOT NULL,
    step INTEGER NOT NULL,
    value REAL,
    PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS runs_parent ON runs(parent_id);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class ResultsStore:
    """A SQLite results store at ``path`` (created with its folder when missing)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_file():
            raise InputValueError(f"store must be a file path, got {str(self.path)!r} (a folder)")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30.0)
        except (OSError, sqlite3.Error) as error:
            raise InputValueError(
                f"store must be a writable file, got {str(self.path)!r}: {error}"
            ) from None
        self._db.row_factory = sqlite3.Row
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise InputValueError(
                    f"store must have schema version <= {SCHEMA_VERSION}, got {version} in "
                    f"{self.path} (written by a newer descentlab)"
                )
            with self._db:
                self._db.executescript(_SCHEMA)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise InputValueError(
                f"store must be a descentlab SQLite file, got {self.path}: {error}"
            ) from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db:
            yield self._db

    # -- writing -----------------------------------------------------------------------------
    def begin_run(
        self,
        experiment: str,
        *,
        config: dict[str, Any],
        seed: int | None,
        versions: dict[str, str],
        device: str,
        label: str | None = None,
    ) -> int:
        """Insert a ``running`` run and commit it at once; returns its id."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (experiment, label, status, seed, config, versions, device, "
                "started_at, pid, host) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)",
                (
                    experiment,
                    label or experiment,
                    seed,
                    dumps(config),
                    dumps(versions),
                    device,
                    _now(),
                    os.getpid(),
                    socket.gethostname(),
                ),
            )
            return int(cursor.lastrowid)

    def complete_run(
        self,
        run_id: int,
        *,
        status: str,
        results: dict[str, Any],
        trials: Sequence[TrialRecord] = (),
        plot_data: dict[str, Any] | None = None,
        message: str | None = None,
    ) -> list[int]:
        """Write the trials, their metrics, the results and the final status in one transaction.

        Returns the ids of the trial runs, in order.
        """
        check_choice("status", status, STATUSES[1:])
        parent = self.get_run(run_id)
        ended = _now()
        ids = []
        with self._transaction() as db:
            for trial in trials:
                check_choice("trial status", trial.status, STATUSES[1:])
                cursor = db.execute(
                    "INSERT INTO runs (parent_id, experiment, label, status, seed, config, "
                    "versions, device, results, message, started_at, ended_at, pid, host) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id,
                        parent.experiment,
                        trial.label,
                        trial.status,
                        parent.seed,
                        dumps(trial.config),
                        dumps(parent.versions),
                        parent.device,
                        dumps(trial.summary),
                        trial.message,
                        parent.started_at,
                        ended,
                        parent.pid,
                        parent.host,
                    ),
                )
                trial_id = int(cursor.lastrowid)
                ids.append(trial_id)
                db.executemany(
                    "INSERT INTO metrics (run_id, name, step, value) VALUES (?, ?, ?, ?)",
                    _metric_rows(trial_id, trial.metrics),
                )
            db.execute(
                "UPDATE runs SET status = ?, results = ?, plot_data = ?, message = ?, "
                "ended_at = ? WHERE id = ?",
                (status, dumps(results), dumps(plot_data or {}), message, ended, run_id),
            )
        return ids

    def log_metrics(self, run_id: int, step: int, values: dict[str, float]) -> None:
        """Write one step of a ``running`` run's own metrics now (replacing that step's values).

        NOTE [atomic runs]: this never changes the run's status.
        """
        run = self.get_run(run_id)
        if run.status != "running":
            raise InputValueError(
                f"run must be running to log metrics, got run {run_id} with status {run.status!r}"
            )
        rows = [
            (run_id, name, step, float(value) if np.isfinite(value) else None)
            for name, value in values.items()
        ]
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO metrics (run_id, name, step, value) VALUES (?, ?, ?, ?)",
                rows,
            )

    def fail_run(self, run_id: int, message: str) -> None:
        """Mark a run ``failed`` with the reason."""
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET status = 'failed', message = ?, ended_at = ? WHERE id = ?",
                (message, _now(), run_id),
            )

    def note_run(self, run_id: int, message: str) -> None:
        """Set a run's message, leaving its status and results as they are (a finished run whose
        files could not all be written says so here)."""
        with self._transaction() as db:
            db.execute("UPDATE runs SET message = ? WHERE id = ?", (message, run_id))

    def reopen_run(self, run_id: int) -> None:
        """Mark a ``failed`` run ``running`` again (its message and end time cleared), so that a
        resumed training run can log the rest of its metrics; a running run is left as it is."""
        run = self.get_run(run_id)
        if run.status not in ("running", "failed"):
            raise InputValueError(
                f"run must be running or failed to reopen, got run {run_id} with status "
                f"{run.status!r}"
            )
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET status = 'running', message = NULL, ended_at = NULL WHERE id = ?",
                (run_id,),
            )

    # -- reading -----------------------------------------------------------------------------
    def get_run(self, run_id: int) -> StoredRun:
        row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise InputValueError(f"run id must be a run in {self.path}, got {run_id}")
        return _decode(row)

    def list_runs(self, *, top_level_only: bool = True) -> list[StoredRun]:
        where = "WHERE parent_id IS NULL" if top_level_only else ""
        rows = self._db.execute(f"SELECT * FROM runs {where} ORDER BY id").fetchall()
        return [_decode(r) for r in rows]

    def children(self, run_id: int) -> list[StoredRun]:
        rows = self._db.execute(
            "SELECT * FROM runs WHERE parent_id = ? ORDER BY id", (run_id,)
        ).fetchall()
        return [_decode(r) for r in rows]

    def metrics(self, run_id: int) -> dict[str, np.ndarray]:
        """Every metric series of a run, by name, ordered by step."""
        rows = self._db.execute(
            "SELECT name, value FROM metrics WHERE run_id = ? ORDER BY name, step", (run_id,)
        ).fetchall()
        series: dict[str, list[float]] = {}
        for name, value in rows:
            series.setdefault(name, []).append(np.nan if value is None else value)
        return {name: np.asarray(values, dtype=np.float64) for name, values in series.items()}

    def load_experiment(self, run_id: int) -> StoredExperiment:
        run = self.get_run(run_id)
        if run.parent_id is not None:
            run = self.get_run(run.parent_id)
        trials = self.children(run.id)
        metrics = {r.id: self.metrics(r.id) for r in (run, *trials)}
        return StoredExperiment(run, trials, metrics)


def _metric_rows(run_id: int, metrics: dict[str, np.ndarray]) -> Iterator[tuple]:
    for name, values in metrics.items():
        array = np.asarray(values, dtype=np.float64).ravel()
        finite = np.isfinite(array)
        for step, (value, ok) in enumerate(zip(array.tolist(), finite.tolist(), strict=True)):
            yield run_id, name, step, value if ok else None


def _decode(row: sqlite3.Row) -> StoredRun:
    return StoredRun(
        id=row["id"],
        parent_id=row["parent_id"],
        experiment=row["experiment"],
        label=row["label"],
        status=row["status"],
        seed=row["seed"],
        config=json.loads(row["config"]),
        versions=json.loads(row["versions"]),
        device=row["device"],
        results=json.loads(row["results"]),
        plot_data=json.loads(row["plot_data"]),
        message=row["message"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        pid=row["pid"],
        host=row["host"],
    )
