"""Sweeps end to end, in process: every trial an ordinary run linked to its sweep, resumed,
diverged trials recorded, pruning, random/TPE counts, experiments, the vectorised seam."""

from __future__ import annotations

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
def test_a_vectorised_sweep_stores_the_runs_of_the_one_by_one_sweep(tmp_path):
    """The same grid with ``vectorize = true`` (one batched computation, descentlab.vectorised)
    and without: the same trials, statuses and per-epoch validation losses within the group's
    float tolerance (rtol 2e-4, as tests/vectorised compares groups with the trainer), a
    diverging rate diverging in both, every trial an ordinary stored run."""
    import numpy as np

    body = (
        'run = "train"\n{flag}[fixed]\nmodel = "linear"\nn_samples = 200\nn_features = 4\n'
        'device = "cpu"\nepochs = 3\noptimizer = "sgd"\n'
        '[space]\nlrate = "0.01,0.1,1e30"\nmomentum = "0,0.9"\n'
    )
    outs = {}
    for flag in ("vectorize = true\n", ""):
        folder = tmp_path / f"f{len(flag)}"
        folder.mkdir()
        path = write_sweep(folder, body.format(flag=flag))
        out = tmp_path / f"out{len(flag)}"
        result = cli("sweep", str(path), "--out", str(out))
        assert result.returncode == 0, result.stderr
        outs[bool(flag)] = out
    grouped, single = (_runs(outs[v])[1] for v in (True, False))
    assert len(grouped) == len(single) == 6

    def key(run):
        return (run.sweep_params["lrate"], run.sweep_params["momentum"])

    by_point = {key(r): r for r in single}
    with (
        ResultsStore.open_readonly(outs[True] / "runs.sqlite") as a,
        ResultsStore.open_readonly(outs[False] / "runs.sqlite") as b,
    ):
        for run in grouped:
            alone = by_point[key(run)]
            assert run.config["vectorised"] is True and run.experiment == "train"
            assert (run.status, run.sweep_state) == (alone.status, alone.sweep_state), key(run)
            if run.status == "finished":
                np.testing.assert_allclose(
                    a.metrics(run.id)["val_loss"], b.metrics(alone.id)["val_loss"], rtol=2e-4
                )
    assert {r.status for r in grouped if r.sweep_params["lrate"] == 1e30} == {"diverged"}


def test_a_sweep_the_engine_cannot_batch_is_refused_with_its_reason(tmp_path):
    path = write_sweep(
        tmp_path,
        'run = "train"\nvectorize = true\n[fixed]\nmodel = "linear"\ndevice = "cpu"\n'
        'schedule = "cosine"\n[space]\nlrate = "0.01,0.1"\n',
    )
    result = cli("sweep", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "descentlab: error: vectorize must be false for this sweep (schedule must be unset for a "
        "vectorised group, got 'cosine'), got true"
    )


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
