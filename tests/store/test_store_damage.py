"""A store damaged mid-file is refused by writers and readers, naming the file; through the CLI,
one line and exit 2."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from descentlab.store import ResultsStore, TrialRecord
from descentlab.validation import InputError

PAGE = 4096


def _store_with_metrics(path) -> int:
    with ResultsStore(path) as store:
        run_id = store.begin_run("demo", config={}, seed=0, versions={}, device="cpu")
        trials = [
            TrialRecord(f"t{i}", {"i": i}, "finished", {"loss": np.linspace(1, 0, 400)})
            for i in range(10)
        ]
        store.complete_run(run_id, status="finished", results={}, trials=trials)
    return run_id


def _damage_middle(path) -> None:
    """Overwrite a few pages in the middle of the file with seeded random bytes."""
    data = bytearray(path.read_bytes())
    pages = len(data) // PAGE
    assert pages >= 12, pages
    noise = random.Random(7)
    for page in range(pages // 2 - 2, pages // 2 + 2):
        data[page * PAGE : (page + 1) * PAGE] = noise.randbytes(PAGE)
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged_store(tmp_path):
    path = tmp_path / "runs.sqlite"
    run_id = _store_with_metrics(path)
    _damage_middle(path)
    return path, run_id


def test_writer_refuses_a_damaged_store_before_appending(damaged_store):
    path, _ = damaged_store
    before = path.read_bytes()
    with pytest.raises(InputError, match=r"store must be an undamaged .* damaged: ") as caught:
        store = ResultsStore(path)
        store.begin_run("demo", config={}, seed=0, versions={}, device="cpu")
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before


def test_reader_refuses_a_damaged_store(damaged_store):
    path, _ = damaged_store
    with pytest.raises(InputError, match=r"store must be an undamaged .* damaged: "):
        ResultsStore(path, readonly=True)


def test_a_damage_found_while_reading_names_the_store(damaged_store, monkeypatch):
    """Damage that the quick check let through (or that came after the open) is translated."""
    path, run_id = damaged_store
    monkeypatch.setattr(ResultsStore, "_check_integrity", lambda self: None)
    with ResultsStore(path, readonly=True) as store:
        with pytest.raises(InputError, match=r"store must be an undamaged") as caught:
            for trial in store.children(run_id):
                store.metrics(trial.id)
        assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
        assert str(path) in str(caught.value)


@pytest.mark.slow
def test_runs_show_on_a_damaged_store_is_one_line_exit_2(damaged_store):
    path, run_id = damaged_store
    for args in (["show", str(run_id)], []):
        done = subprocess.run(
            [sys.executable, "-m", "descentlab", "runs", "--store", str(path), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and "unexpected error" not in lines[0]
        assert str(path) in lines[0] and "damaged" in lines[0]
