"""``descentlab sweeps`` and ``sweeps show`` through the real CLI; the store's schema 3."""

from __future__ import annotations

import json
import sqlite3

import pytest
from tests.sweeps.conftest import TINY_TRAIN, cli, write_sweep

from descentlab.store import ResultsStore, schema


@pytest.mark.slow
def test_sweeps_lists_and_shows_trials_by_objective_with_figures(tmp_path):
    path = write_sweep(
        tmp_path,
        f'run = "train"\nname = "rates"\n{TINY_TRAIN}epochs = 2\n'
        '[space]\nlrate = "0.001,0.05,1e30"\nbatch_size = "16,64"\n',
    )
    out = tmp_path / "out"
    ran = cli("sweep", str(path), "--out", str(out), "--json")
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert report["totals"]["complete"] == 4 and report["totals"]["diverged"] == 2

    listed = cli("sweeps", "--out", str(out))
    assert listed.returncode == 0
    assert "rates" in listed.stdout and report["study"] in listed.stdout

    shown = cli("sweeps", "show", str(report["sweep_id"]), "--out", str(out), "--json")
    assert shown.returncode == 0, shown.stderr
    trials = json.loads(shown.stdout)["trials"]
    values = [t["value"] for t in trials if t["state"] == "complete"]
    assert values == sorted(values) and len(values) == 4
    assert [t["state"] for t in trials[4:]] == ["diverged", "diverged"]
    assert trials[0]["value"] == report["best"]["value"]
    names = sorted(p.name for p in (out / f"sweep-{report['sweep_id']}").glob("*.png"))
    assert names == [
        "best-curves.png", "heatmap-lrate-batch_size.png", "objective-vs-batch_size.png",
        "objective-vs-lrate.png",
    ]  # fmt: skip

    text = cli("sweeps", "show", str(report["sweep_id"]), "--out", str(out))
    assert text.returncode == 0
    first = next(line for line in text.stdout.splitlines() if line.strip().startswith("trial"))
    assert f"{report['best']['value']:.6g}" in first
    missing = cli("sweeps", "show", "99", "--out", str(out))
    assert missing.returncode == 2 and "sweep id must be a sweep in" in missing.stderr


def _v2_store(path):
    db = sqlite3.connect(path)
    db.execute(schema._RUNS.format(name="runs"))
    db.execute(schema._METRICS)
    db.execute(schema._INDEX)
    db.execute(
        "INSERT INTO runs (experiment, label, status, config, versions, device, started_at) "
        "VALUES ('demo', 'demo', 'finished', '{}', '{}', 'cpu', 't')"
    )
    db.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()


def test_a_schema_2_store_is_read_as_is_and_upgraded_by_a_writer(tmp_path):
    path = tmp_path / "runs.sqlite"
    _v2_store(path)
    with ResultsStore.open_readonly(path) as store:
        assert store.list_sweeps() == [] and store.get_run(1).sweep_id is None
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2  # reading never upgrades
    db.close()
    with ResultsStore(path) as store:
        sweep = store.register_sweep(
            "k", name="n", target="train", spec={"a": 1}, study="s", storage="u"
        )
        assert store.register_sweep(
            "k", name="n", target="train", spec={}, study="s", storage="u"
        ) == sweep  # fmt: skip
        run = store.begin_run(
            "train", config={}, seed=0, versions={}, device="cpu", sweep=(sweep, 7, {"lr": 0.1})
        )
        store.set_sweep_state(run, "pruned")
        (linked,) = store.sweep_runs(sweep)
        assert (linked.id, linked.sweep_trial, linked.sweep_params) == (run, 7, {"lr": 0.1})
        assert linked.sweep_state == "pruned" and store.get_run(1).status == "finished"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    db.close()


def test_sampled_rates_are_binned_on_a_log_scale_in_the_heatmap(tmp_path):
    from descentlab.plots.sweep_figures import _rate_columns, sweep_figures
    from descentlab.store import StoredSweep

    rates = sorted(10.0 ** (-4 + 3 * i / 19) for i in range(20))
    labels, column = _rate_columns(rates)
    assert len(labels) == 8 and column(rates[0]) == 0 and column(rates[-1]) == 7
    assert [column(r) for r in rates] == sorted(column(r) for r in rates)  # monotone
    assert _rate_columns([0.1, 0.01])[1](0.01) == 1  # few rates: one column each
    sweep = StoredSweep(1, "k", "n", "train", {"objective": "final.val_loss"}, "s", "u", "t")
    table = [
        {"trial": i, "run_id": i + 1, "state": "complete", "status": "finished",
         "value": float(i), "params": {"lrate": r, "batch_size": 16 * (1 + i % 2)}}
        for i, r in enumerate(rates)
    ]  # fmt: skip
    figures = sweep_figures(sweep, table, {}, tmp_path)
    assert [f.name for f in figures] == [
        "objective-vs-batch_size", "objective-vs-lrate", "heatmap-lrate-batch_size",
    ]  # fmt: skip
    assert all(f.png.is_file() and f.svg.is_file() for f in figures)
