"""The results store: every run, its config, provenance, status and metrics, in one SQLite file.

NOTE [atomic runs]: a run is inserted as ``running`` with its process (pid, host, start time) and
committed at once, so a run that is killed midway stays visible as ``running`` until the next
writer on the same host sees that its process is gone and marks it ``interrupted`` (NOTE [process
identity]). Everything it produced — trials, metrics, results and the final status — is written
later by :meth:`ResultsStore.complete_run` in a single transaction: if that fails (a full disk, a
file-size limit) nothing of it is kept, the run is still ``running`` and the caller gets a
:class:`StoreWriteError` naming the file, so it can mark the run ``failed`` (a one-row update that
still fits) or leave it to be marked ``interrupted``. A run is never half-written as finished.

A long run (``descentlab train``) also logs its per-epoch metrics as it goes with
:meth:`ResultsStore.log_metrics`, one committed transaction per epoch, so a killed run keeps the
epochs it finished; a resumed run rewrites the epochs it repeats with the same values. Such a run
is still marked finished only by :meth:`ResultsStore.complete_run`.

NOTE [read-only store]: ``runs``, ``runs show``/``export``/``plot`` open the file with
:meth:`ResultsStore.open_readonly`: SQLite's ``mode=ro``, no DDL, no transaction that could
write, so a store on a read-only file, in a read-only folder or on a full disk can be read. The
store never switches to WAL mode, whose readers need a writable ``-shm`` file beside it; a
rollback-journal reader needs nothing but the file. ``immutable=1`` is not used: it would skip
the locks and a hot journal and could read a transaction that a crashed writer left half-made.
Writers and readers alike refuse a damaged file (``PRAGMA quick_check``) before using it, and no
``sqlite3`` error leaves the store untranslated (NOTE [store errors]).
"""

from __future__ import annotations

import errno
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from descentlab.store import schema
from descentlab.store.errors import StoreWriteError, damaged, translated
from descentlab.store.ids import check_run_id
from descentlab.store.jsonsafe import dumps
from descentlab.store.processes import current_process, process_gone
from descentlab.store.records import (
    STATUSES,
    SWEEP_STATES,
    StoredExperiment,
    StoredRun,
    StoredSweep,
    TrialRecord,
)
from descentlab.validation import InputValueError, check_choice

__all__ = ["ResultsStore", "StoreWriteError"]

SCHEMA_VERSION = schema.SCHEMA_VERSION
_FINAL = tuple(s for s in STATUSES if s != "running")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class ResultsStore:
    """A SQLite results store at ``path``.

    A writer (the default) creates a missing or empty file with its folder, and upgrades a store
    of an older schema; ``readonly=True`` (or :meth:`open_readonly`) only reads an existing file.
    Either refuses, before touching it, a file that is not a descentlab store, one of a newer
    schema, or a damaged one (NOTE [store identity], NOTE [read-only store]).
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._process = current_process()
        self._swept = False
        if self.path.exists() and not self.path.is_file():
            raise InputValueError(f"store must be a file path, got {str(self.path)!r} (a folder)")
        if readonly and not self.path.is_file():
            raise InputValueError(f"store must be an existing results file, got {str(self.path)!r}")
        schema.check_header(self.path)
        self._db = self._connect()
        try:
            with translated(self.path):
                self._open()
        except BaseException:
            self._db.close()
            raise
        self._db.row_factory = sqlite3.Row

    @classmethod
    def open_readonly(cls, path: str | Path) -> ResultsStore:
        """Open an existing store for reading only: no DDL, nothing written."""
        return cls(path, readonly=True)

    def _connect(self) -> sqlite3.Connection:
        try:
            if self.readonly:
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                return sqlite3.connect(uri, uri=True, timeout=30.0, isolation_level=None)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            rule = "a readable file" if self.readonly else "a writable file"
            raise InputValueError(
                f"store must be {rule}, got {str(self.path)!r}: {error}"
            ) from None

    def _open(self) -> None:
        layout = schema.inspect(self._db, self.path)  # reads only: a foreign file stays as it is
        if not layout.blank:
            self._check_integrity()
        if self.readonly:
            if layout.blank:  # an empty file reads as an empty store
                self._db.close()
                self._db = sqlite3.connect(":memory:", isolation_level=None)
                schema.create(self._db)
            return
        try:
            with self._transaction() as db:  # also proves the file writable before a run starts
                layout = schema.inspect(db, self.path)  # again, now holding the write lock
                if layout.blank:
                    schema.create(db)
                elif layout.version < SCHEMA_VERSION:
                    schema.upgrade(db, layout.version)
        except sqlite3.Error as error:
            name = getattr(error, "sqlite_errorname", "")
            if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
                raise
            raise InputValueError(
                f"store must be a writable file, got {str(self.path)!r}: {error}"
            ) from None

    def _check_integrity(self) -> None:
        problems = [row[0] for row in self._db.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            text = " ".join("; ".join(problems).replace("*** in database main ***", "").split())
            raise damaged(self.path, text)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, its lock taken at the start (concurrent writers queue)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                with suppress(sqlite3.Error):  # SQLite may have rolled back already
                    self._db.execute("ROLLBACK")
            raise

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; the first one also marks the runs whose process is gone."""
        if self.readonly:
            raise StoreWriteError(
                errno.EROFS, "the results store was opened read-only", str(self.path)
            )
        with translated(self.path), self._transaction() as db:
            if not self._swept:
                self._mark_interrupted(db)
            yield db
        self._swept = True

    def _mark_interrupted(self, db: sqlite3.Connection) -> None:
        """NOTE [atomic runs]: a ``running`` run of this host whose process is gone is
        ``interrupted``; a run of another host is left alone."""
        rows = db.execute(
            "SELECT id, pid, host, process_start FROM runs WHERE status = 'running' AND host = ?",
            (self._process.host,),
        ).fetchall()
        ended = _now()
        for run_id, pid, host, start in rows:
            if process_gone(pid, host, start):
                db.execute(
                    "UPDATE runs SET status = 'interrupted', message = ?, ended_at = ? "
                    "WHERE id = ? AND status = 'running'",
                    (f"its process {pid} ended without finishing (killed?)", ended, run_id),
                )

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
        sweep: tuple[int, int, dict[str, Any]] | None = None,
    ) -> int:
        """Insert a ``running`` run with this process's identity and commit it; returns its id.
        ``sweep`` links it to a sweep: (sweep id, Optuna trial number, parameters)."""
        sweep_id, trial, params = sweep if sweep is not None else (None, None, None)
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO runs (experiment, label, status, seed, config, versions, device, "
                "started_at, pid, host, process_start, sweep_id, sweep_trial, sweep_params) "
                "VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    experiment,
                    label or experiment,
                    seed,
                    dumps(config),
                    dumps(versions),
                    device,
                    _now(),
                    *self._process,
                    sweep_id,
                    trial,
                    None if params is None else dumps(params),
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

        Returns the ids of the trial runs, in order. Raises :class:`StoreWriteError` (naming the
        file) when the disk refuses the write; then nothing of it is stored (NOTE [atomic runs]).
        """
        check_choice("status", status, _FINAL)
        for trial in trials:
            check_choice("trial status", trial.status, _FINAL)
        ids = []
        with self._write() as db:
            parent = self._get(run_id)
            ended = _now()
            for trial in trials:
                cursor = db.execute(
                    "INSERT INTO runs (parent_id, experiment, label, status, seed, config, "
                    "versions, device, results, message, started_at, ended_at, pid, host, "
                    "process_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                        parent.process_start,
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
        rows = [
            (run_id, name, step, float(value) if np.isfinite(value) else None)
            for name, value in values.items()
        ]
        with self._write() as db:
            run = self._get(run_id)
            if run.status != "running":
                raise InputValueError(
                    f"run must be running to log metrics, got run {run_id} with status "
                    f"{run.status!r}"
                )
            db.executemany(
                "INSERT OR REPLACE INTO metrics (run_id, name, step, value) VALUES (?, ?, ?, ?)",
                rows,
            )

    def fail_run(self, run_id: int, message: str) -> None:
        """Mark a run ``failed``, storing the reason as its message."""
        self._end(run_id, "failed", message)

    def interrupt_run(self, run_id: int, reason: str) -> None:
        """Mark a run ``interrupted`` (stopped by SIGINT or SIGTERM), storing the reason."""
        self._end(run_id, "interrupted", reason)

    def _end(self, run_id: int, status: str, message: str) -> None:
        with self._write() as db:
            self._get(run_id)
            db.execute(
                "UPDATE runs SET status = ?, message = ?, ended_at = ? WHERE id = ?",
                (status, message, _now(), run_id),
            )

    def note_run(self, run_id: int, message: str) -> None:
        """Set a run's message, leaving its status and results as they are (a finished run whose
        files could not all be written says so here)."""
        with self._write() as db:
            self._get(run_id)
            db.execute("UPDATE runs SET message = ? WHERE id = ?", (message, run_id))

    def reopen_run(self, run_id: int) -> None:
        """Mark a ``failed`` or ``interrupted`` run ``running`` again, now owned by this process
        (its message and end time cleared), so that a resumed training run can log the rest of
        its metrics; a running run is taken over the same way."""
        with self._write() as db:
            run = self._get(run_id)
            if run.status not in ("running", "failed", "interrupted"):
                raise InputValueError(
                    f"run must be running, failed or interrupted to reopen, got run {run_id} "
                    f"with status {run.status!r}"
                )
            db.execute(
                "UPDATE runs SET status = 'running', message = NULL, ended_at = NULL, pid = ?, "
                "host = ?, process_start = ? WHERE id = ?",
                (*self._process, run_id),
            )

    # -- sweeps (NOTE [sweep link]) ------------------------------------------------------------
    def register_sweep(
        self, key: str, *, name: str, target: str, spec: dict[str, Any], study: str, storage: str
    ) -> int:
        """The id of the sweep with identity ``key``, inserted on first sight (any number of
        workers may call this at once: one row results)."""
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO sweeps (key, name, target, spec, study, storage, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, name, target, dumps(spec), study, storage, _now()),
            )
            (sweep_id,) = db.execute("SELECT id FROM sweeps WHERE key = ?", (key,)).fetchone()
        return int(sweep_id)

    def set_sweep_state(self, run_id: int, state: str) -> None:
        """Record how a sweep counted its trial's run (``SWEEP_STATES``)."""
        check_choice("sweep state", state, SWEEP_STATES)
        with self._write() as db:
            self._get(run_id)
            db.execute("UPDATE runs SET sweep_state = ? WHERE id = ?", (state, run_id))

    def list_sweeps(self) -> list[StoredSweep]:
        with translated(self.path):
            if not self._has_sweeps():
                return []
            rows = self._db.execute("SELECT * FROM sweeps ORDER BY id").fetchall()
        return [_decode_sweep(r) for r in rows]

    def get_sweep(self, sweep_id: int) -> StoredSweep:
        with translated(self.path):
            row = None
            if self._has_sweeps():
                row = self._db.execute(
                    "SELECT * FROM sweeps WHERE id = ?", (check_run_id(sweep_id),)
                ).fetchone()
        if row is None:
            raise InputValueError(f"sweep id must be a sweep in {self.path}, got {sweep_id}")
        return _decode_sweep(row)

    def _has_sweeps(self) -> bool:
        """False for a store of schema < 3 opened read-only (never upgraded)."""
        found = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sweeps'"
        ).fetchone()
        return found is not None

    def sweep_runs(self, sweep_id: int) -> list[StoredRun]:
        """The runs of a sweep's trials, by trial number (a trial re-run after a kill has a
        new number; the killed attempt stays ``interrupted``)."""
        with translated(self.path):
            rows = self._db.execute(
                "SELECT * FROM runs WHERE sweep_id = ? ORDER BY sweep_trial, id",
                (check_run_id(sweep_id),),
            ).fetchall()
        return [_decode(r) for r in rows]

    # -- reading -----------------------------------------------------------------------------
    def get_run(self, run_id: int) -> StoredRun:
        with translated(self.path):
            return self._get(run_id)

    def _get(self, run_id: int) -> StoredRun:
        row = self._db.execute(
            "SELECT * FROM runs WHERE id = ?", (check_run_id(run_id),)
        ).fetchone()
        if row is None:
            raise InputValueError(f"run id must be a run in {self.path}, got {run_id}")
        return _decode(row)

    def list_runs(self, *, top_level_only: bool = True) -> list[StoredRun]:
        where = "WHERE parent_id IS NULL" if top_level_only else ""
        with translated(self.path):
            rows = self._db.execute(f"SELECT * FROM runs {where} ORDER BY id").fetchall()
        return [_decode(r) for r in rows]

    def children(self, run_id: int) -> list[StoredRun]:
        with translated(self.path):
            rows = self._db.execute(
                "SELECT * FROM runs WHERE parent_id = ? ORDER BY id", (check_run_id(run_id),)
            ).fetchall()
        return [_decode(r) for r in rows]

    def metrics(self, run_id: int) -> dict[str, np.ndarray]:
        """Every metric series of a run, by name, ordered by step."""
        with translated(self.path):
            rows = self._db.execute(
                "SELECT name, value FROM metrics WHERE run_id = ? ORDER BY name, step",
                (check_run_id(run_id),),
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

    def is_orphan(self, run: StoredRun) -> bool:
        """True for a ``running`` run of this host whose process is gone: the next writer marks
        it ``interrupted`` (a read-only open can only say so)."""
        return run.status == "running" and process_gone(run.pid, run.host, run.process_start)


def _metric_rows(run_id: int, metrics: dict[str, np.ndarray]) -> Iterator[tuple]:
    for name, values in metrics.items():
        array = np.asarray(values, dtype=np.float64).ravel()
        finite = np.isfinite(array)
        for step, (value, ok) in enumerate(zip(array.tolist(), finite.tolist(), strict=True)):
            yield run_id, name, step, value if ok else None


def _decode(row: sqlite3.Row) -> StoredRun:
    columns = row.keys()  # a schema-1 store, read without upgrading, has no process_start
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
        process_start=row["process_start"] if "process_start" in columns else None,
        **_sweep_columns(row, columns),
    )


def _sweep_columns(row: sqlite3.Row, columns: list[str]) -> dict[str, Any]:
    """The link columns of schema 3 (absent from an older store read without upgrading)."""
    if "sweep_id" not in columns:
        return {}
    params = row["sweep_params"]
    return {
        "sweep_id": row["sweep_id"],
        "sweep_trial": row["sweep_trial"],
        "sweep_params": None if params is None else json.loads(params),
        "sweep_state": row["sweep_state"],
    }


def _decode_sweep(row: sqlite3.Row) -> StoredSweep:
    return StoredSweep(
        id=row["id"],
        key=row["key"],
        name=row["name"],
        target=row["target"],
        spec=json.loads(row["spec"]),
        study=row["study"],
        storage=row["storage"],
        created_at=row["created_at"],
    )
