"""The §2.6 optimizers experiment: a fair comparison, checked against least squares and torch."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from descentlab.data import Dataset
from descentlab.experiments.optimizers import OptimizersConfig, default_data, run
from descentlab.experiments.runner import resolve_config, run_experiment
from descentlab.linear import least_squares
from descentlab.linear.batches import batch_indices
from descentlab.linear.initial import batch_rng, initial_weight
from descentlab.optim.torch_adapter import make_torch_optimizer

CONFIG = OptimizersConfig()


@pytest.fixture(scope="module")
def outcome():
    return run(CONFIG, default_data(CONFIG))


def weights(metrics: dict, n: int) -> np.ndarray:
    return np.stack([metrics[f"weight[{j}]"] for j in range(n)], axis=1)


def test_defaults_cover_the_spec_set():
    names = [entry.split(":")[0] for entry in CONFIG.optimizers]
    assert set(names) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}
    variants = {e for e in CONFIG.optimizers if e.startswith("adam:")}
    assert {"adam:lr=0.05:betas=0.5/0.999", "adam:lr=0.05:betas=0.9/0.99", "adam:lr=0.01"} <= (
        variants
    )
    assert CONFIG.model == "linear" and CONFIG.n_features > 1


def test_equal_updates_and_identical_start(outcome):
    runs = outcome.results["runs"]
    updates = outcome.results["updates"]
    assert updates == CONFIG.epochs * 10  # 200 samples in batches of 20
    assert {run["steps"] for run in runs} == {updates}
    w0 = initial_weight(CONFIG.n_features, CONFIG.seed).ravel()
    first_batch = None
    for trial in outcome.trials:
        w = weights(trial.metrics, CONFIG.n_features)
        assert w.shape == (updates + 1, CONFIG.n_features)
        np.testing.assert_array_equal(w[0], w0)
        assert len(trial.metrics["epoch_loss"]) == len(trial.metrics["distance_to_optimum"]) == 31
        # same initial weight and same first batch: the same first batch loss, bit for bit
        first_batch = first_batch or trial.metrics["batch_loss"][0]
        assert trial.metrics["batch_loss"][0] == first_batch


def test_batch_order_is_the_seeded_one(outcome):
    """Plain SGD's every step is w - lr * grad on the batch the seed's generator drew."""
    data = default_data(CONFIG)
    X, _ = (data.X - data.X.mean(0)) / data.X.std(0), None
    y = (data.y - data.y.mean()) / data.y.std()
    sgd = next(t for t in outcome.trials if t.label == "sgd(lr=0.05)")
    w = weights(sgd.metrics, CONFIG.n_features)
    rng, step = batch_rng(CONFIG.seed), 0
    for _ in range(CONFIG.epochs):
        for idx in batch_indices(len(y), CONFIG.batch_size, rng=rng):
            grad = -2 / len(idx) * X[idx].T @ (y[idx] - X[idx] @ w[step].reshape(-1, 1))
            np.testing.assert_allclose(w[step + 1], w[step] - 0.05 * grad.ravel(), rtol=1e-12)
            step += 1
    assert step == len(w) - 1


def test_targets_and_features_are_standardised(outcome):
    results = outcome.results
    assert results["standardised"] == {"features": True, "targets": True}
    data = default_data(CONFIG)
    assert results["target_scaling"]["std"] == pytest.approx(float(data.y.std()))
    scaled = dataclasses.replace(data, X=data.X * 7.0 + 3.0, y=data.y * 1000.0 - 50.0)
    again = run(CONFIG, scaled)
    for a, b in zip(outcome.results["runs"], again.results["runs"], strict=True):
        assert a["final_loss"] == pytest.approx(b["final_loss"], rel=1e-6)


def test_every_default_run_converges_to_least_squares(outcome):
    data = default_data(CONFIG)
    Xs = (data.X - data.X.mean(0)) / data.X.std(0)
    ys = (data.y - data.y.mean()) / data.y.std()
    optimum = least_squares(Xs, ys).ravel()
    np.testing.assert_allclose(outcome.results["optimum_weights"], optimum, rtol=1e-10)
    start = outcome.results["initial_distance_to_optimum"]
    assert start > 0.5
    for run_, trial in zip(outcome.results["runs"], outcome.trials, strict=True):
        assert run_["status"] == "finished"
        final = trial.metrics["distance_to_optimum"][-1]
        w_final = weights(trial.metrics, CONFIG.n_features)[-1]
        assert final == pytest.approx(np.linalg.norm(w_final - optimum), rel=1e-9)
        assert final < 0.1 * start, run_["label"]
        assert run_["final_loss"] < 1.2 * outcome.results["optimum_loss"], run_["label"]


@pytest.mark.parametrize("entry", CONFIG.optimizers)
def test_trajectory_matches_torch_optim(outcome, entry):
    """The same batches through torch.optim's own optimizer give the same weights."""
    index = CONFIG.optimizers.index(entry)
    run_, trial = outcome.results["runs"][index], outcome.trials[index]
    data = default_data(CONFIG)
    X = torch.from_numpy((data.X - data.X.mean(0)) / data.X.std(0))
    y = torch.from_numpy((data.y - data.y.mean()) / data.y.std())
    w = torch.tensor(initial_weight(CONFIG.n_features, CONFIG.seed), requires_grad=True)
    given = {k: v for k, v in run_["hyperparameters"].items() if k != "maximize"}
    optimizer = make_torch_optimizer(run_["optimizer"], [w], **given)
    rng = batch_rng(CONFIG.seed)
    for _ in range(CONFIG.epochs):
        for idx in batch_indices(len(y), CONFIG.batch_size, rng=rng):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(X[idx] @ w, y[idx]).backward()
            optimizer.step()
    ours = weights(trial.metrics, CONFIG.n_features)[-1]
    np.testing.assert_allclose(ours, w.detach().numpy().ravel(), rtol=1e-8, atol=1e-12)


def test_json_shape_and_store(tmp_path):
    report = run_experiment("optimizers", out=tmp_path, overrides={"epochs": "4"})
    payload = json.loads(json.dumps(report.as_json(), allow_nan=False))
    runs = payload["results"]["runs"]
    assert len(runs) == len(CONFIG.optimizers)
    for run_ in runs:
        assert {"optimizer", "hyperparameters", "final_loss", "steps"} <= set(run_)
        assert run_["steps"] == 40 and isinstance(run_["final_loss"], float)
        assert "lr" in run_["hyperparameters"]
    assert runs[7]["hyperparameters"]["betas"] == [0.5, 0.999]
    assert len(report.run_ids) == 1 + len(runs)
    assert {f["name"] for f in report.figures} == {"optimizers-loss", "optimizers-distance"}


def test_user_choice_of_optimizers():
    config = resolve_config(
        "optimizers",
        {"optimizers": "sgd:lr=0.1,nadam:lr=0.02:momentum_decay=0.01", "epochs": "2"},
    )
    outcome = run(config, default_data(config))
    labels = [r["label"] for r in outcome.results["runs"]]
    assert labels == ["sgd(lr=0.1)", "nadam(lr=0.02, momentum_decay=0.01)"]
    assert outcome.results["runs"][1]["hyperparameters"]["momentum_decay"] == 0.01


def test_diverging_optimizer_is_recorded():
    config = OptimizersConfig(optimizers=("sgd:lr=100",))
    outcome = run(config, default_data(config))
    assert outcome.status == "diverged" and "diverged at epoch" in outcome.trials[0].message


BAD = [
    (
        {"optimizers": "adamm"},
        ValueError,
        r"optimizers\[0\] name must be one of 'sgd', .*got 'adamm'",
    ),
    (
        {"optimizers": "sgd:lrr=1"},
        ValueError,
        r"optimizers\[0\] key must be one of lr, .*got 'lrr'",
    ),
    ({"optimizers": "sgd:lr"}, ValueError, r"optimizers\[0\] must be name or name:key=value"),
    ({"optimizers": "sgd:lr=x"}, ValueError, r"lr must be a number, got 'x' in optimizers\[0\]"),
    (
        {"optimizers": "sgd,adam:lr=-1"},
        ValueError,
        r"lr must be a finite number >= 0 or a schedule .*, got -1.0 \(in optimizers\[1\]",
    ),
    (
        {"optimizers": "adam:betas=1/0.9"},
        ValueError,
        r"betas\[0\] must be a number in \[0, 1\), got 1.0",
    ),
    (
        {"optimizers": "nesterov:momentum=0"},
        ValueError,
        r"nesterov must be False unless momentum > 0",
    ),
    ({"optimizers": "sgd,sgd"}, ValueError, r"optimizers must not repeat an entry, got 'sgd'"),
    ({"optimizers": ""}, ValueError, r"optimizers must list at least one entry, got \(\)"),
    ({"model": "cnn"}, ValueError, r"model must be one of 'linear', 'mlp', got 'cnn'"),
    ({"batch_size": "0"}, ValueError, r"batch_size must be a positive integer, got 0"),
    ({"epochs": "0"}, ValueError, r"epochs must be a positive integer, got 0"),
    ({"n_features": "0"}, ValueError, r"n_features must be a positive integer, got 0"),
    ({"backend": "torch"}, ValueError, r"backend must be 'numpy' for this experiment.*'torch'"),
    (
        {"batch_size": "500", "drop_last": "true"},
        ValueError,
        r"batch_size must be at most n_samples when drop_last is true, got batch_size=500",
    ),
]


@pytest.mark.parametrize(("overrides", "error", "message"), BAD)
def test_bad_config_values(overrides, error, message):
    with pytest.raises(error, match=message):
        config = resolve_config("optimizers", overrides)
        run(config, default_data(config))


def test_cli_run_writes_json_and_figures(tmp_path):
    exe = shutil.which("descentlab")
    command = [exe] if exe else [sys.executable, "-m", "descentlab.cli"]
    out = tmp_path / "tmp"
    done = subprocess.run(
        [*command, "run", "optimizers", "--json", "--out", str(out), "--set", "epochs=3"],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["experiment"] == "optimizers" and payload["status"] == "finished"
    assert [r["steps"] for r in payload["results"]["runs"]] == [30] * len(CONFIG.optimizers)
    for figure in payload["figures"]:
        assert Path(figure["png"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in Path(figure["svg"]).read_text()[:500]
    assert (out / "optimizers" / "results.json").is_file()


def test_dataset_with_a_constant_target_column_is_not_scaled():
    data = Dataset(
        X=np.random.default_rng(0).normal(size=(40, 2)),
        y=np.zeros((40, 1)),
        feature_names=("a", "b"),
        target_name="t",
        source="test",
    )
    outcome = run(OptimizersConfig(optimizers=("sgd:lr=0.1",), epochs=20, n_features=2), data)
    losses = outcome.trials[0].metrics["epoch_loss"]
    assert outcome.results["target_scaling"] == {"mean": 0.0, "std": 1.0}
    assert losses[-1] < 1e-4 * losses[0]
