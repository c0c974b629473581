"""The store's tables, how a file is recognised as a descentlab store, and schema upgrades.

NOTE [store identity]: a store is marked by ``PRAGMA application_id = APPLICATION_ID`` and its
schema by ``PRAGMA user_version``. A file is inspected with reads only, before anything is written
to it, so another program's SQLite file (or any other file) is refused byte for byte untouched.
Stores made before the application id existed (id 0, schema version 1, exactly the ``runs`` and
``metrics`` tables) are recognised by their columns and upgraded. ``user_version`` only means
"a newer descentlab" on a file that carries our application id.

NOTE [sweep link]: schema 3 adds the ``sweeps`` table (one row per sweep, found again by its
identity ``key``, NOTE [sweep identity] in ``descentlab.sweeps``) and four columns on ``runs``:
``sweep_id``, ``sweep_trial`` (the Optuna trial number), ``sweep_params`` (the trial's
parameters, JSON) and ``sweep_state`` (``complete``, ``pruned``, ``diverged``, ``failed``; NULL
while it runs). A sweep's trial is otherwise an ordinary run, so ``runs``, ``runs show``, export
and figures read it unchanged. Older stores get the table and the columns in the same write
transaction as any other upgrade step.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from descentlab.validation import InputValueError

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "Layout",
    "check_header",
    "create",
    "inspect",
    "upgrade",
]

APPLICATION_ID = 0x444C4142  # "DLAB"
SCHEMA_VERSION = 3  # 2: status 'interrupted', runs.process_start; 3: sweeps (NOTE [sweep link])

_SQLITE_MAGIC = b"SQLite format 3\x00"

_RUNS = """
CREATE TABLE {name} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id INTEGER REFERENCES runs(id),
    experiment TEXT NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('running', 'finished', 'diverged', 'failed', 'interrupted')),
    seed INTEGER,
    config TEXT NOT NULL,
    versions TEXT NOT NULL,
    device TEXT NOT NULL,
    results TEXT NOT NULL DEFAULT '{{}}',
    plot_data TEXT NOT NULL DEFAULT '{{}}',
    message TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    pid INTEGER,
    host TEXT,
    process_start TEXT
)"""
_METRICS = """
CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    name TEXT NOT NULL,
    step INTEGER NOT NULL,
    value REAL,
    PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID"""
_INDEX = "CREATE INDEX runs_parent ON runs(parent_id)"
_SWEEPS = """
CREATE TABLE sweeps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    target TEXT NOT NULL,
    spec TEXT NOT NULL,
    study TEXT NOT NULL,
    storage TEXT NOT NULL,
    created_at TEXT NOT NULL
)"""
_SWEEP_COLUMNS = (
    "sweep_id INTEGER REFERENCES sweeps(id)",
    "sweep_trial INTEGER",
    "sweep_params TEXT",
    "sweep_state TEXT",
)
_SWEEP_INDEX = "CREATE INDEX runs_sweep ON runs(sweep_id, sweep_trial)"

_V1_RUNS = (
    "id", "parent_id", "experiment", "label", "status", "seed", "config", "versions", "device",
    "results", "plot_data", "message", "started_at", "ended_at", "pid", "host",
)  # fmt: skip
_METRIC_COLUMNS = ("run_id", "name", "step", "value")


@dataclass(frozen=True)
class Layout:
    """What an inspected file holds: ``blank`` (no tables yet: becomes a new store) or a
    descentlab store of schema ``version``."""

    blank: bool
    version: int


def check_header(path: Path) -> None:
    """Refuse a non-empty file that is not an SQLite database at all, reading 16 bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as error:
        raise InputValueError(
            f"store must be a readable file, got {str(path)!r}: {error.strerror}"
        ) from None
    if head and head != _SQLITE_MAGIC:
        raise InputValueError(
            f"store must be a descentlab results store, got {str(path)!r} (not an SQLite database)"
        )


def inspect(db: sqlite3.Connection, path: Path) -> Layout:
    """Read the identity of the open database ``db`` (stored at ``path``); writes nothing."""
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = {
        name
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not name.startswith("sqlite_")
    }
    if app_id == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise InputValueError(
                f"store must be written by descentlab schema version <= {SCHEMA_VERSION}, got "
                f"schema version {version} in {str(path)!r} (made by a newer descentlab)"
            )
        return Layout(blank=False, version=version)
    if app_id == 0 and not tables and version == 0:
        return Layout(blank=True, version=0)
    if (
        app_id == 0
        and version == 1
        and tables == {"runs", "metrics"}
        and _columns(db, "runs") == _V1_RUNS
        and _columns(db, "metrics") == _METRIC_COLUMNS
    ):
        return Layout(blank=False, version=1)  # made before the application id existed
    raise InputValueError(
        f"store must be a descentlab results store, got {str(path)!r} (another program's SQLite "
        f"database)"
    )


def create(db: sqlite3.Connection) -> None:
    """Create the tables of a blank file; inside the caller's write transaction."""
    for statement in (_RUNS.format(name="runs"), _METRICS, _INDEX):
        db.execute(statement)
    _add_sweeps(db)
    _mark(db)


def upgrade(db: sqlite3.Connection, version: int) -> None:
    """Bring a store of schema ``version`` to ``SCHEMA_VERSION``; inside the caller's write
    transaction, so an interrupted upgrade leaves the old store as it was."""
    if version < 2:
        # A CHECK constraint cannot be altered: rebuild the table, keeping ids and the
        # AUTOINCREMENT counter (SQLite's documented rebuild: new table, copy, drop, rename).
        (sequence,) = db.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'runs'"
        ).fetchone()
        columns = ", ".join(_V1_RUNS)
        db.execute(_RUNS.format(name="runs_v2"))
        db.execute(f"INSERT INTO runs_v2 ({columns}) SELECT {columns} FROM runs")
        db.execute("DROP TABLE runs")
        db.execute("ALTER TABLE runs_v2 RENAME TO runs")
        db.execute(_INDEX)
        db.execute("DELETE FROM sqlite_sequence WHERE name = 'runs'")
        db.execute(
            "INSERT INTO sqlite_sequence (name, seq) "
            "SELECT 'runs', MAX(?, COALESCE(MAX(id), 0)) FROM runs",
            (sequence,),
        )
    if version < 3:
        _add_sweeps(db)
    _mark(db)


def _add_sweeps(db: sqlite3.Connection) -> None:
    """Schema 3: the ``sweeps`` table and the link columns of ``runs`` (NOTE [sweep link])."""
    db.execute(_SWEEPS)
    for column in _SWEEP_COLUMNS:
        db.execute(f"ALTER TABLE runs ADD COLUMN {column}")
    db.execute(_SWEEP_INDEX)


def _mark(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _columns(db: sqlite3.Connection, table: str) -> tuple[str, ...]:
    return tuple(row[1] for row in db.execute(f"PRAGMA table_info({table})"))
