"""A file is recognised as a descentlab store before anything is written to it (NOTE [store
identity]): foreign and non-SQLite files are refused byte for byte untouched, schema versions are
named as such, and stores of the first schema are upgraded in one transaction."""

from __future__ import annotations

import hashlib
import sqlite3

import numpy as np
import pytest

from descentlab.store import ResultsStore, TrialRecord
from descentlab.validation import InputValueError

# The schema of the first descentlab stores: no application id, user_version 1.
V1_SCHEMA = """
CREATE TABLE runs (
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
CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    name TEXT NOT NULL,
    step INTEGER NOT NULL,
    value REAL,
    PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID;
CREATE INDEX runs_parent ON runs(parent_id);
PRAGMA user_version = 1;
"""


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sqlite_file(path, script: str) -> None:
    db = sqlite3.connect(path)
    db.executescript(script)
    db.commit()
    db.close()


def _v1_store(path) -> None:
    """A store as the first descentlab wrote it: a parent run (id 1), its trial (id 2)."""
    _sqlite_file(path, V1_SCHEMA)
    db = sqlite3.connect(path)
    row = "INSERT INTO runs (id, parent_id, experiment, label, status, config, versions, device, "
    row += "started_at, pid, host) VALUES (?, ?, 'demo', ?, ?, '{}', '{}', 'cpu', 't', 1, 'h')"
    db.execute(row, (1, None, "demo", "finished"))
    db.execute(row, (2, 1, "a", "diverged"))
    db.execute("INSERT INTO metrics VALUES (2, 'loss', 0, 1.5)")
    db.execute("UPDATE sqlite_sequence SET seq = 5 WHERE name = 'runs'")  # ids 3-5 were used
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "script",
    [
        "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');",
        "CREATE TABLE notes (x TEXT); PRAGMA user_version = 7;",
        "CREATE TABLE runs (x TEXT); CREATE TABLE metrics (y TEXT); PRAGMA user_version = 1;",
        "PRAGMA application_id = 1234; PRAGMA user_version = 1;",
        "PRAGMA user_version = 3;",
    ],
)
@pytest.mark.parametrize("readonly", [False, True])
def test_foreign_sqlite_file_is_refused_untouched(tmp_path, script, readonly):
    path = tmp_path / "theirs.sqlite"
    _sqlite_file(path, script)
    before = _digest(path)
    with pytest.raises(InputValueError) as caught:
        ResultsStore(path, readonly=readonly)
    message = str(caught.value)
    assert message.startswith("store must be a descentlab results store, got ")
    assert str(path) in message and "another program's SQLite database" in message
    assert "newer" not in message  # never "a newer descentlab" for a file that is not ours
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.sqlite"]  # no journal left


@pytest.mark.parametrize("content", [b"hello, I am a text file\n", bytes(range(256)) * 40])
def test_non_sqlite_file_is_refused_naming_it(tmp_path, content):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(content)
    for readonly in (False, True):
        with pytest.raises(InputValueError, match=r"store must be a descentlab results store"):
            ResultsStore(path, readonly=readonly)
    assert path.read_bytes() == content


def test_newer_schema_of_our_own_is_named_as_a_schema_version(tmp_path):
    path = tmp_path / "r.sqlite"
    ResultsStore(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 7")
    db.commit()
    db.close()
    before = _digest(path)
    for readonly in (False, True):
        with pytest.raises(
            InputValueError,
            match=r"store must be written by descentlab schema version <= 3, got schema "
            r"version 7 in .*r\.sqlite.* \(made by a newer descentlab\)",
        ):
            ResultsStore(path, readonly=readonly)
    assert _digest(path) == before


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_missing_or_empty_file_becomes_a_new_store(tmp_path, make):
    path = tmp_path / "sub" / "r.sqlite"
    if make == "empty":
        path.parent.mkdir()
        path.write_bytes(b"")
        with ResultsStore.open_readonly(path) as store:  # an empty file reads as no runs
            assert store.list_runs() == []
        assert path.read_bytes() == b""
    with ResultsStore(path) as store:
        run_id = store.begin_run("demo", config={}, seed=1, versions={}, device="cpu")
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == 0x444C4142
    assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    db.close()
    with ResultsStore(path) as store:
        assert store.get_run(run_id).status == "running"


def test_first_schema_store_is_read_as_is_and_upgraded_by_a_writer(tmp_path):
    path = tmp_path / "old.sqlite"
    _v1_store(path)
    before = _digest(path)
    with ResultsStore.open_readonly(path) as store:
        loaded = store.load_experiment(2)
        assert loaded.run.id == 1 and [t.status for t in loaded.trials] == ["diverged"]
        assert loaded.trial_metrics(loaded.trials[0])["loss"].tolist() == [1.5]
        assert loaded.run.process_start is None
    assert _digest(path) == before  # reading never upgrades

    with ResultsStore(path) as store:
        assert [r.id for r in store.list_runs(top_level_only=False)] == [1, 2]
        new = store.begin_run("demo", config={}, seed=0, versions={}, device="cpu")
        assert new == 6  # the AUTOINCREMENT counter survived the rebuild: ids are never reused
        store.interrupt_run(new, "stopped by SIGTERM")  # the status schema 1 could not hold
        trial = TrialRecord("b", {}, "finished", {"loss": np.array([2.0])})
        (child,) = store.complete_run(1, status="finished", results={}, trials=[trial])
        assert store.get_run(child).parent_id == 1
        assert store.get_run(new).status == "interrupted"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    assert db.execute("PRAGMA application_id").fetchone()[0] == 0x444C4142
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "runs_parent" in indexes
    db.close()


def test_a_failed_upgrade_leaves_the_old_store_as_it_was(tmp_path, monkeypatch):
    from descentlab.store import schema

    path = tmp_path / "old.sqlite"
    _v1_store(path)
    before = _digest(path)

    def broken(db, version):
        db.execute("DROP TABLE runs")
        raise sqlite3.OperationalError("simulated failure midway")

    monkeypatch.setattr(schema, "upgrade", broken)
    with pytest.raises(ValueError, match="store must be a writable file"):
        ResultsStore(path)
    assert _digest(path) == before
