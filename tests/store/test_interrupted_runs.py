"""A run whose process is gone is marked ``interrupted`` by the next writer on its host (NOTE
[atomic runs], NOTE [process identity]); a run of another host, or of a live process, is not."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from descentlab.store import STATUSES, ResultsStore
from descentlab.validation import InputValueError

KILLED = """
    import os, sys
    from descentlab.store import ResultsStore
    store = ResultsStore(sys.argv[1])
    run_id = store.begin_run("demo", config={}, seed=0, versions={}, device="cpu")
    print(run_id, os.getpid(), flush=True)
    os._exit(9)  # killed before complete_run: nothing else is written
"""


def _killed_run(path) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr
    run_id, pid = map(int, done.stdout.split())
    return run_id, pid


def _begin(store: ResultsStore) -> int:
    return store.begin_run("demo", config={}, seed=0, versions={}, device="cpu")


def test_killed_run_is_marked_interrupted_by_the_next_writer(tmp_path):
    path = tmp_path / "r.sqlite"
    run_id, pid = _killed_run(path)
    with ResultsStore.open_readonly(path) as store:  # a reader cannot mark: it only says so
        run = store.get_run(run_id)
        assert run.status == "running" and store.is_orphan(run)
    with ResultsStore(path) as store:
        assert store.get_run(run_id).status == "running"  # opening alone writes nothing
        mine = _begin(store)
        run = store.get_run(run_id)
        assert run.status == "interrupted" and run.ended_at is not None
        assert run.message == f"its process {pid} ended without finishing (killed?)"
        assert store.get_run(mine).status == "running"  # this process is alive


def test_a_reused_pid_is_not_mistaken_for_the_run(tmp_path):
    """The recorded pid is alive (it is ours) but belongs to a newer process than the run's."""
    path = tmp_path / "r.sqlite"
    with ResultsStore(path) as store:
        old = _begin(store)
        start = store.get_run(old).process_start
    if start is None:
        pytest.skip("no /proc: only the pid can be checked here")
    boot, ticks = start.rsplit(":", 1)
    db = sqlite3.connect(path)
    db.execute("UPDATE runs SET process_start = ? WHERE id = ?", (f"{boot}:{int(ticks) - 1}", old))
    db.commit()
    db.close()
    with ResultsStore(path) as store:
        _begin(store)
        run = store.get_run(old)
        assert run.pid == os.getpid() and run.status == "interrupted"


def test_a_run_of_another_host_is_never_touched(tmp_path):
    path = tmp_path / "r.sqlite"
    run_id, _ = _killed_run(path)
    db = sqlite3.connect(path)
    db.execute("UPDATE runs SET host = 'another-machine' WHERE id = ?", (run_id,))
    db.commit()
    db.close()
    with ResultsStore(path) as store:
        _begin(store)
        run = store.get_run(run_id)
        assert run.status == "running" and not store.is_orphan(run)


def test_interrupt_fail_and_reopen_keep_their_reasons(tmp_path):
    assert "interrupted" in STATUSES
    with ResultsStore(tmp_path / "r.sqlite") as store:
        first, second = _begin(store), _begin(store)
        store.interrupt_run(first, "stopped by SIGTERM")
        store.fail_run(second, "ValueError: boom")
        assert (store.get_run(first).status, store.get_run(first).message) == (
            "interrupted",
            "stopped by SIGTERM",
        )
        assert store.get_run(second).message == "ValueError: boom"
        store.reopen_run(first)  # --resume continues an interrupted run
        run = store.get_run(first)
        assert run.status == "running" and run.message is None and run.pid == os.getpid()
        store.log_metrics(first, 0, {"loss": 1.0})
        with pytest.raises(InputValueError, match="run id must be a run in"):
            store.interrupt_run(999, "nothing")


def test_a_resumed_run_belongs_to_the_resuming_process(tmp_path):
    """reopen_run records the new process, so the next writer does not mark it again."""
    path = tmp_path / "r.sqlite"
    run_id, _ = _killed_run(path)
    with ResultsStore(path) as store:
        store.reopen_run(run_id)
    with ResultsStore(path) as store:
        _begin(store)
        assert store.get_run(run_id).status == "running"


def test_runs_listing_flags_a_dead_run_without_writing(tmp_path):
    path = tmp_path / "r.sqlite"
    run_id, _ = _killed_run(path)
    before = path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "descentlab", "runs", "--store", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if line.split()[0] == str(run_id))
    assert "interrupted*" in row
    assert "next run into this store records it as interrupted" in done.stdout
    assert path.read_bytes() == before
