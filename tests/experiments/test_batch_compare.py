"""batch-compare (§2.5): same start, honest budget accounting, the reference trajectory, summaries."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.data import regression_data
from descentlab.experiments.batch_compare import BatchCompareConfig, run
from descentlab.linear import numpy_backend as npb
from descentlab.linear import torch_backend as tb

SMALL = {"n_samples": 200, "n_features": 3, "epochs": 4, "repeat": 2, "batch_size": 16}


@pytest.fixture(scope="module")
def outcome():
    config = BatchCompareConfig(**SMALL, eval_budgets=(0.1, 1.0, 2.5))
    return config, run(config, regression_data(200, 3, noise=20.0, random_state=42))


def _runs(results, method):
    return [r for r in results["runs"] if r["method"] == method]


def test_every_method_and_seed_starts_from_the_same_weight(outcome):
    _, out = outcome
    assert len(out.trials) == 9 and out.results["seeds"] == [0, 1, 2]
    start = {}
    for trial in out.trials:
        seed = trial.config["seed"]
        first = trial.metrics["epoch_distance"][0]
        assert start.setdefault(seed, first) == first
    assert len(set(start.values())) == 3  # different seeds, different starts


def test_budgets_count_sample_gradients_and_updates(outcome):
    config, out = outcome
    r = out.results
    for run_ in _runs(r, "full batch"):
        at = {e["budget_epochs"]: e for e in run_["matched_evals"]}
        assert at[0.1]["updates"] == 0 and at[1.0]["updates"] == 1 and at[2.5]["updates"] == 2
        assert run_["matched_epochs"]["updates"] == 4
        assert at[0.1]["distance"] == run_["matched_evals"][0]["distance"]
    for run_ in _runs(r, "mini-batch"):  # 200 = 12 × 16 + 8: 13 batches per epoch
        at = {e["budget_epochs"]: e for e in run_["matched_evals"]}
        assert at[0.1]["updates"] == 1 and at[1.0]["updates"] == 13 and at[2.5]["updates"] == 32
        assert run_["steps_per_epoch"] == 13 and run_["matched_epochs"]["updates"] == 52
    for run_ in _runs(r, "single-sample"):
        at = {e["budget_epochs"]: e for e in run_["matched_evals"]}
        assert at[0.1]["updates"] == 20 and at[2.5]["updates"] == 500
    for run_ in r["runs"]:
        assert run_["matched_updates"]["updates"] == config.epochs


def test_results_follow_the_reference_trajectory(outcome):
    config, out = outcome
    data = regression_data(200, 3, noise=20.0, random_state=42)
    w_star = npb.least_squares(data.X, data.y)
    for run_ in out.results["runs"]:
        ref = npb.minibatchSGD(
            data.X, data.y, run_["batch_size"], config.epochs, config.lrate, seed=run_["seed"]
        )
        distance = float(np.linalg.norm(ref.final_weight - w_star))
        assert run_["matched_epochs"]["distance"] == pytest.approx(distance, rel=1e-9)
        assert run_["matched_epochs"]["loss"] == pytest.approx(ref.final_loss, rel=1e-9)


def test_wall_time_budget_and_measurements(outcome):
    _, out = outcome
    r = out.results
    budget = r["time_budget_s"]
    slowest = max(run_["time_per_epoch"]["median_s"] for run_ in r["runs"])
    assert budget == pytest.approx(max(0.02, 4 * slowest))
    assert r["time_budget_rule"].startswith("epochs")
    for trial, run_ in zip(out.trials, r["runs"], strict=True):
        seconds = trial.metrics["time_s"]
        assert seconds[0] == 0 and np.all(np.diff(seconds) > 0)
        assert seconds[-1] >= budget or len(seconds) > 100_000
        assert run_["matched_time"]["time_s"] <= budget
        assert len(run_["time_per_epoch"]["samples_s"]) == 2
        assert run_["peak_memory"]["rss_peak_bytes"] >= run_["peak_memory"]["rss_before_bytes"]
    traced = {
        m: np.mean([x["peak_memory"]["traced_peak_bytes"] for x in _runs(r, m)])
        for m in ("full batch", "single-sample")
    }
    assert traced["single-sample"] > traced["full batch"]  # 800 recorded weights against 4


def test_summaries_are_over_seeds(outcome):
    _, out = outcome
    r = out.results
    for method, entry in r["summary"].items():
        values = [x["matched_epochs"]["distance"] for x in _runs(r, method)]
        stats = entry["matched_epochs"]["distance"]
        assert stats["mean"] == pytest.approx(np.mean(values))
        assert stats["min"] == min(values) and stats["max"] == max(values)
        assert len(entry["matched_evals"]) == 3
    # single-sample SGD beats full batch on matched gradient evaluations, not per update
    single, full = r["summary"]["single-sample"], r["summary"]["full batch"]
    assert (
        single["matched_evals"][1]["distance"]["mean"]
        < full["matched_evals"][1]["distance"]["mean"]
    )


def test_given_time_budget_and_torch_backend():
    config = BatchCompareConfig(
        **(SMALL | {"n_samples": 40, "epochs": 2}), n_seeds=1, time_budget=0.001, backend="torch"
    )
    data = regression_data(40, 3, noise=20.0, random_state=1)
    out = run(config, data)
    assert out.results["time_budget_s"] == 0.001 and out.results["time_budget_rule"] == "given"
    ref = tb.minibatchSGD(data.X, data.y, 16, 2, config.lrate, seed=0)
    w_star = npb.least_squares(data.X, data.y)
    mini = _runs(out.results, "mini-batch")[0]
    assert mini["matched_epochs"]["distance"] == pytest.approx(
        float(np.linalg.norm(ref.final_weight - w_star)), rel=1e-9
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("n_seeds", 0, r"n_seeds must be a positive integer, got 0"),
        ("eval_budgets", (), r"eval_budgets must list at least one budget"),
        ("time_budget", -1.0, r"time_budget must be a finite number >= 0, got -1.0"),
        ("batch_size", 0, r"batch_size must be a positive integer, got 0"),
    ],
)
def test_bad_config(field, value, message):
    with pytest.raises(ValueError, match=message):
        BatchCompareConfig(**{field: value})
