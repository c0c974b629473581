from __future__ import annotations

import csv
import subprocess
import sys
import textwrap

import numpy as np
import pyarrow.parquet as pq
import pytest

from descentlab.store import ResultsStore, TrialRecord, export_run


def _begin(store: ResultsStore) -> int:
    return store.begin_run(
        "demo", config={"lrate": 0.1}, seed=3, versions={"numpy": "x"}, device="cpu"
    )


def test_round_trip_and_statuses(tmp_path):
    with ResultsStore(tmp_path / "r.sqlite") as store:
        run_id = _begin(store)
        assert store.get_run(run_id).status == "running"
        trials = [
            TrialRecord("a", {"lrate": 0.1}, "finished", {"loss": np.array([3.0, 2.0, 1.0])}),
            TrialRecord(
                "b",
                {"lrate": 9.0},
                "diverged",
                {"loss": np.array([3.0, np.inf])},
                message="loss became non-finite at epoch 1",
            ),
        ]
        ids = store.complete_run(
            run_id,
            status="finished",
            results={"x": np.float64(1.5)},
            trials=trials,
            plot_data={"grid": np.arange(3)},
        )
        run = store.get_run(run_id)
        assert run.status == "finished" and run.results == {"x": 1.5}
        assert run.plot_data == {"grid": [0, 1, 2]} and run.seed == 3
        assert [store.get_run(i).status for i in ids] == ["finished", "diverged"]
        np.testing.assert_array_equal(store.metrics(ids[0])["loss"], [3.0, 2.0, 1.0])
        loss_b = store.metrics(ids[1])["loss"]
        assert loss_b[0] == 3.0 and np.isnan(loss_b[1])
        loaded = store.load_experiment(ids[1])
        assert loaded.run.id == run_id and [t.label for t in loaded.trials] == ["a", "b"]
        assert [r.id for r in store.list_runs()] == [run_id]


def test_failed_transaction_leaves_no_half_written_run(tmp_path):
    with ResultsStore(tmp_path / "r.sqlite") as store:
        run_id = _begin(store)
        bad = TrialRecord("a", {}, "exploded", {"loss": np.ones(3)})
        with pytest.raises(ValueError, match="trial status must be one of"):
            store.complete_run(run_id, status="finished", results={}, trials=[bad])
        assert store.get_run(run_id).status == "running"
        assert store.children(run_id) == []
        store.fail_run(run_id, "boom")
        assert store.get_run(run_id).status == "failed"


def test_killed_run_stays_running_without_metrics(tmp_path):
    path = tmp_path / "r.sqlite"
    script = textwrap.dedent(f"""
        import os, numpy as np
        from descentlab.store import ResultsStore, TrialRecord
        store = ResultsStore({str(path)!r})
        run_id = store.begin_run("demo", config={{}}, seed=0, versions={{}}, device="cpu")
        print(run_id, flush=True)
        os._exit(9)  # killed before complete_run
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 9
    run_id = int(done.stdout.strip())
    with ResultsStore(path) as store:
        run = store.get_run(run_id)
        assert run.status == "running" and run.pid is not None
        assert store.children(run_id) == [] and store.metrics(run_id) == {}


def test_export_csv_and_parquet(tmp_path):
    with ResultsStore(tmp_path / "r.sqlite") as store:
        run_id = _begin(store)
        trial = TrialRecord("a", {}, "finished", {"loss": np.array([2.0, 1.0])})
        (child,) = store.complete_run(run_id, status="finished", results={}, trials=[trial])
        assert export_run(store, run_id, tmp_path / "m.csv", "csv") == 2
        rows = list(csv.DictReader((tmp_path / "m.csv").open()))
        assert rows[0] == {
            "run_id": str(child),
            "label": "a",
            "metric": "loss",
            "step": "0",
            "value": "2.0",
        }
        assert export_run(store, run_id, tmp_path / "m.parquet", "parquet") == 2
        table = pq.read_table(tmp_path / "m.parquet").to_pydict()
        assert table["value"] == [2.0, 1.0]
        with pytest.raises(ValueError, match="export path must not exist yet"):
            export_run(store, run_id, tmp_path / "m.csv", "csv")
        with pytest.raises(ValueError, match="format must be one of 'csv', 'parquet', got 'xls'"):
            export_run(store, run_id, tmp_path / "m.xls", "xls")


def test_unknown_run_and_bad_store(tmp_path):
    with (
        ResultsStore(tmp_path / "r.sqlite") as store,
        pytest.raises(ValueError, match=r"run id must be a run in .*, got 42"),
    ):
        store.get_run(42)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(
        ValueError, match=r"store must be a descentlab results store, got .*not an SQLite"
    ):
        ResultsStore(junk)
