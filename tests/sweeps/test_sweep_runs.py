"""Sweeps end to end, in process: every trial an ordinary run linked to its sweep, resumed,
diverged trials recorded, pruning, random/TPE counts, experiments, the vectorised seam."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

import pytest
from tests.sweeps.conftest import cli, write_sweep

from descentlab.store import ResultsStore
from descentlab.sweeps import parse_sweep, run_sweep_worker
from descentlab.validation import InputValueError

TINY = {"model": "linear", "n_samples": 200, "n_features": 4, "device": "cpu", "epochs": 2}


def _runs(out):
    with ResultsStore.open_readonly(out / "runs.sqlite") as store:
        (sweep,) = store.list_sweeps()
        return sweep, store.sweep_runs(sweep.id)


@pytest.mark.slow
def test_grid_runs_each_point_once_records_divergence_and_resumes(tmp_path):
    spec = parse_sweep(
        {"run": "train", "fixed": TINY, "space": {"lrate": "0.01,1e30", "seed": "0,1"}}
    )
    seen = []
    report = run_sweep_worker(spec, out=tmp_path, on_trial=seen.append)
    assert sorted((t.params["lrate"], t.params["seed"]) for t in seen) == [
        (0.01, 0), (0.01, 1), (1e30, 0), (1e30, 1),
    ]  # fmt: skip
    states = {t.params["lrate"]: t.state for t in seen}
    assert states == {0.01: "complete", 1e30: "diverged"}  # the sweep went on past divergence
    assert report.totals["complete"] == 2 and report.totals["diverged"] == 2
    assert report.best["value"] == min(t.value for t in seen if t.value is not None)
    sweep, runs = _runs(tmp_path)
    assert [r.sweep_trial for r in runs] == [0, 1, 2, 3]
    assert [r.status for r in runs] == ["finished", "finished", "diverged", "diverged"]
    assert [r.sweep_state for r in runs] == ["complete", "complete", "diverged", "diverged"]
    assert all(r.experiment == "train" and r.sweep_id == sweep.id for r in runs)
    assert runs[0].sweep_params == {"lrate": 0.01, "seed": 0}
    assert sweep.study == report.study and sweep.spec["space"]["lrate"]["choices"] == [0.01, 1e30]

    again = run_sweep_worker(spec, out=tmp_path)  # the same file again: nothing left to run
    assert again.ran == [] and again.sweep_id == report.sweep_id
    assert len(_runs(tmp_path)[1]) == 4
    # an ordinary run: `runs show` reads it as any other
    result = cli("runs", "show", str(runs[0].id), "--out", str(tmp_path))
    assert result.returncode == 0 and "train [finished]" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("sampler", ["random", "tpe"])
def test_random_and_tpe_run_n_trials_and_a_larger_n_trials_continues(tmp_path, sampler):
    document = {
        "run": "train", "fixed": TINY, "sampler": sampler, "n_trials": 3, "seed": 5,
        "space": {"lrate": "loguniform:low=1e-3:high=0.1", "batch_size": "int:low=8:high=64"},
    }  # fmt: skip
    first = run_sweep_worker(parse_sweep(document), out=tmp_path)
    assert len(first.ran) == 3 and first.totals["complete"] == 3
    for trial in first.ran:
        assert 1e-3 <= trial.params["lrate"] <= 0.1 and 8 <= trial.params["batch_size"] <= 64
    more = run_sweep_worker(parse_sweep({**document, "n_trials": 4}), out=tmp_path)
    assert [t.number for t in more.ran] == [3] and more.sweep_id == first.sweep_id
    assert len(_runs(tmp_path)[1]) == 4


@pytest.mark.slow
def test_median_pruner_ends_a_bad_trial_as_finished_early(tmp_path):
    spec = parse_sweep(
        {"run": "train", "fixed": {**TINY, "epochs": 4}, "pruner": "median",
         "space": {"lrate": "0.05,0.04,0.000001"}}
    )  # fmt: skip
    report = run_sweep_worker(spec, out=tmp_path)
    assert [t.state for t in report.ran] == ["complete", "complete", "pruned"]
    _, runs = _runs(tmp_path)
    pruned = runs[2]
    assert pruned.status == "finished" and pruned.sweep_state == "pruned"
    assert pruned.message.startswith("pruned at epoch 1 by the median pruner")
    assert pruned.results["stopped_early"] is True and pruned.results["epochs_run"] == 1
    assert report.totals["pruned"] == 1


@pytest.mark.slow
def test_an_experiment_sweep_stores_runs_of_that_experiment(tmp_path):
    spec = parse_sweep(
        {"run": "gd-onefeature", "objective": "final_loss", "fixed": {"epochs": 20},
         "space": {"lrate": "0.1,0.5,1e10"}}
    )  # fmt: skip
    report = run_sweep_worker(spec, out=tmp_path)
    assert [t.state for t in report.ran] == ["complete", "complete", "diverged"]
    _, runs = _runs(tmp_path)
    assert [r.experiment for r in runs] == ["gd-onefeature"] * 3
    assert runs[2].status == "diverged"


def test_an_objective_that_is_not_in_the_results_stops_the_sweep_naming_it(tmp_path):
    spec = parse_sweep(
        {"run": "gd-onefeature", "objective": "final.loss", "fixed": {"epochs": 5},
         "space": {"lrate": "0.1,0.2"}}
    )  # fmt: skip
    with pytest.raises(InputValueError, match=r"objective must be a dotted path .*'final.loss'"):
        run_sweep_worker(spec, out=tmp_path)
    _, runs = _runs(tmp_path)
    assert [r.sweep_state for r in runs] == ["failed"]


@pytest.mark.slow
def test_vectorize_without_the_engine_is_refused_with_exit_2(tmp_path):
    path = write_sweep(
        tmp_path,
        'run = "train"\nvectorize = true\n[fixed]\nmodel = "linear"\ndevice = "cpu"\n'
        '[space]\nlrate = "0.01,0.1"\n',
    )
    result = cli("sweep", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "descentlab: error: vectorize must be false in this descentlab (it has no vectorised "
        "engine, descentlab.vectorised), got vectorize = true"
    )


@dataclass
class _FakeResult:
    status: str
    history: dict
    final: dict
    message: str | None


def test_vectorised_trials_are_stored_as_ordinary_runs(tmp_path, monkeypatch):
    calls = []

    def train_group(fixed, trials):
        calls.append((dict(fixed), [dict(t) for t in trials]))
        out = []
        for trial in trials:
            loss = [1.0, 0.5 * trial["lrate"]]
            diverged = trial["lrate"] > 1
            history = {
                "epoch": [1.0, 2.0],
                "train_loss": loss,
                "lrate": [trial["lrate"]] * 2,
                "seconds": [0.1, 0.1],
                "samples_per_second": [1e3, 1e3],
                "val_loss": loss,
            }
            out.append(_FakeResult(
                "diverged" if diverged else "finished", history,
                {k: v[-1] for k, v in history.items()},
                "diverged at epoch 2" if diverged else None,
            ))  # fmt: skip
        return out

    engine = types.ModuleType("descentlab.vectorised")
    engine.can_vectorise = lambda fixed, names: None
    engine.train_group = train_group
    monkeypatch.setitem(sys.modules, "descentlab.vectorised", engine)
    spec = parse_sweep(
        {"run": "train", "vectorize": True, "fixed": {**TINY, "optimizer": "sgd"},
         "space": {"lrate": "0.1,0.2,10", "momentum": "0,0.9"}}
    )  # fmt: skip
    report = run_sweep_worker(spec, out=tmp_path)
    (call,) = calls
    assert call[0]["model"] == "linear" and len(call[1]) == 6
    assert call[1][0] == {"lrate": 0.1, "momentum": 0.0}
    assert sorted(t.state for t in report.ran) == ["complete"] * 4 + ["diverged"] * 2
    _, runs = _runs(tmp_path)
    assert len(runs) == 6 and {r.experiment for r in runs} == {"train"}
    finished = [r for r in runs if r.status == "finished"]
    best = min(finished, key=lambda r: r.results["final"]["val_loss"])
    assert best.config["lrate"] == 0.1 and best.config["vectorised"] is True
    assert best.sweep_params == {"lrate": 0.1, "momentum": 0.0}
    with ResultsStore.open_readonly(tmp_path / "runs.sqlite") as store:
        assert store.metrics(best.id)["val_loss"].tolist() == [1.0, 0.05]
    assert run_sweep_worker(spec, out=tmp_path).ran == []  # resumed: nothing left

    engine.can_vectorise = lambda fixed, names: "model 'linear' with dropout is not batched"
    other = parse_sweep({**{"run": "train", "vectorize": True, "fixed": TINY},
                         "space": {"lrate": "0.3,0.4"}})  # fmt: skip
    with pytest.raises(InputValueError, match=r"vectorize must be false for this sweep \(model"):
        run_sweep_worker(other, out=tmp_path / "o2")


@pytest.mark.slow
def test_successive_halving_prunes_with_its_own_message(tmp_path):
    spec = parse_sweep(
        {"run": "train", "fixed": {**TINY, "epochs": 4}, "pruner": "halving",
         "space": {"lrate": "0.05,0.000001,0.0000011,0.0000012"}}
    )  # fmt: skip
    report = run_sweep_worker(spec, out=tmp_path)
    assert report.ran[0].state == "complete" and "pruned" in {t.state for t in report.ran[1:]}
    _, runs = _runs(tmp_path)
    for run in runs:
        if run.sweep_state == "pruned":
            assert run.status == "finished" and "by the halving pruner" in run.message
