"""The report's data and files, without a browser: strict JSON, run selection, the sweep seam."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from descentlab.report.interactive_report import build_report, report_data, select_runs
from descentlab.report.sweep_views import Sweep, SweepTrial, sweep_figures, sweep_view
from descentlab.store import ResultsStore
from descentlab.validation import InputValueError

from .report_store import add_lr_sweep, add_train, embedded_data, strict_json


@pytest.fixture
def store(tmp_path: Path):
    with ResultsStore(tmp_path / "runs.sqlite") as opened:
        yield opened


def test_a_diverged_run_is_strict_json_with_nulls(store: ResultsStore, tmp_path: Path) -> None:
    run = add_lr_sweep(store, label="</script><script>alert(1)</script>")
    folder = tmp_path / "report"
    folder.mkdir()
    index = build_report(store, folder, select_runs(store))
    text = index.read_text(encoding="utf-8")
    assert text.count("</script>") == 3  # the data's own, plotly's and report.js's
    data = embedded_data(index)
    (section,) = data["sections"]
    assert section["id"] == f"run-{run}"
    paths = next(v for v in section["views"] if v["kind"] == "paths")
    diverged = paths["choices"][1]["paths"][0]
    assert diverged["y"] == [4.0, 9.0, 1e30, None, None]
    assert diverged["x"] == [0.0, 3.0, -1e15, None, None]
    assert data["runs"][0]["label"].startswith("</script>")
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "plotly.min.js", "report.js"]
    assert (folder / "plotly.min.js").stat().st_size > 1_000_000
    assert "cdn" not in text.lower()


def test_train_runs_form_one_section_filterable_by_settings(store: ResultsStore) -> None:
    ids = [add_train(store, lrate=lr, optimizer=o) for lr, o in [(0.1, "adam"), (0.01, "sgd")]]
    data = report_data(store, select_runs(store))
    (section,) = data["sections"]
    assert section["id"] == "train" and [t["id"] for t in section["trials"]] == ids
    assert [t["params"]["optimizer"] for t in section["trials"]] == ["adam", "sgd"]
    (curves,) = section["views"]
    assert curves["metrics"][:2] == ["train_loss", "val_loss"] and "epoch" not in curves["metrics"]
    assert len(curves["series"][0]["train_loss"]) == 4


def test_runs_are_chosen_by_id_trial_id_or_experiment(store: ResultsStore) -> None:
    sweep = add_lr_sweep(store)
    train = add_train(store, lrate=0.1, optimizer="adam")
    trial = store.children(sweep)[0].id
    assert [r.id for r in select_runs(store, ids=[trial, sweep])] == [sweep]
    assert [r.id for r in select_runs(store, experiment="train")] == [train]
    assert [r.id for r in select_runs(store)] == [sweep, train]
    with pytest.raises(InputValueError, match="run id must be a run in"):
        select_runs(store, ids=[999])
    with pytest.raises(InputValueError, match=r"experiment must have runs in .* got 'minima'"):
        select_runs(store, experiment="minima")


def test_sweep_figures_read_the_stored_sweeps(store: ResultsStore, tmp_path) -> None:
    """NOTE [sweep adapter]: no views without sweeps; a real sweep's trials, their varied
    settings and objectives (the diverged trial without one) once a sweep ran."""
    from descentlab.sweeps import parse_sweep, run_sweep_worker

    add_train(store, lrate=0.1, optimizer="adam")
    assert sweep_figures(store.path) == []
    fixed = {"model": "linear", "n_samples": 120, "n_features": 3, "device": "cpu", "epochs": 2}
    spec = parse_sweep({"run": "train", "fixed": fixed, "space": {"lrate": "0.05,1e30"}})
    run_sweep_worker(spec, out=tmp_path / "swept")
    (view,) = sweep_figures(tmp_path / "swept" / "runs.sqlite")
    assert view["kind"] == "sweep" and view["objective"] == spec.objective
    points = {p["params"]["lrate"]: p for p in view["points"]}
    assert set(points) == {0.05, 1e30}
    assert points[1e30]["objective"] is None and points[1e30]["status"] == "diverged"
    assert points[0.05]["objective"] > 0 and points[0.05]["status"] == "complete"


def test_sweep_view_lists_the_varying_parameters_and_every_point() -> None:
    trials = [
        SweepTrial({"lrate": lr, "batch_size": b, "optimizer": "sgd"}, lr * b, "finished")
        for lr in (0.01, 0.1)
        for b in (16, 64)
    ]
    trials.append(
        SweepTrial({"lrate": 1.0, "batch_size": 16, "optimizer": "sgd"}, None, "diverged")
    )
    view = sweep_view(Sweep("grid", "val_loss", trials))
    assert view["parameters"] == ["batch_size", "lrate"]
    assert len(view["points"]) == 5 and view["points"][-1]["objective"] is None
    assert strict_json(json.dumps(view)) == view
    with pytest.raises(InputValueError, match="sweep must have trials"):
        sweep_view(Sweep("empty", "val_loss", []))
