"""The §2.6 optimizers experiment on an MLP: a fair comparison, replayed with torch.optim."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from descentlab.data import split_dataset
from descentlab.experiments.optimizers import OptimizersConfig, default_data, run
from descentlab.experiments.runner import resolve_config
from descentlab.linear.batches import batch_indices
from descentlab.linear.initial import batch_rng
from descentlab.models import make_model
from descentlab.optim.torch_adapter import make_torch_optimizer

from .cli_runs import run_json

CONFIG = OptimizersConfig(model="mlp")
SHORT = dataclasses.replace(CONFIG, epochs=4)


@pytest.fixture(scope="module")
def outcome():
    return run(CONFIG, default_data(CONFIG))


def replay_with_torch(config: OptimizersConfig, name: str, hyper: dict) -> tuple[list, list]:
    """The run written out again with torch.optim's own optimizer: the batch loss of every
    update and the training-part MSE after every epoch (epoch 0 first)."""
    train, _, _ = split_dataset(
        default_data(config), config.val_fraction, seed=config.data_seed, scale_target=True
    )
    X, y = torch.from_numpy(train.X), torch.from_numpy(train.y)
    model = make_model(
        "mlp", X.shape[1], layers=config.layers, activation=config.activation, seed=config.seed
    ).double()
    given = {k: v for k, v in hyper.items() if k != "maximize"}
    optimizer = make_torch_optimizer(name, model.parameters(), **given)
    rng = batch_rng(config.seed)
    mse = torch.nn.functional.mse_loss
    with torch.no_grad():
        epoch_losses, batch_losses = [float(mse(model(X), y))], []
    for _ in range(config.epochs):
        for idx in batch_indices(len(y), config.batch_size, rng=rng):
            optimizer.zero_grad()
            loss = mse(model(X[idx]), y[idx])
            batch_losses.append(loss.item())
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            epoch_losses.append(float(mse(model(X), y)))
    return batch_losses, epoch_losses


@pytest.mark.slow
def test_every_run_starts_alike_and_makes_the_same_updates(outcome):
    results = outcome.results
    assert results["model"] == "mlp" and results["split"] == {"train": 160, "validation": 40}
    assert results["updates"] == CONFIG.epochs * 8  # 160 training rows in batches of 20
    assert {r["steps"] for r in results["runs"]} == {results["updates"]}
    first = outcome.trials[0].metrics
    for trial in outcome.trials:
        metrics = trial.metrics
        # the same initial parameters: the same loss before any update, on both parts
        assert metrics["epoch_loss"][0] == first["epoch_loss"][0]
        assert metrics["val_loss"][0] == first["val_loss"][0]
        # the same first batch through the same parameters: the same batch loss, bit for bit
        assert metrics["batch_loss"][0] == first["batch_loss"][0]
        assert len(metrics["epoch_loss"]) == len(metrics["val_loss"]) == CONFIG.epochs + 1
        assert len(metrics["batch_loss"]) == len(metrics["lrate"]) == results["updates"]
        assert "distance_to_optimum" not in metrics and "weight[0]" not in metrics


@pytest.mark.slow
def test_every_default_run_learns_what_a_line_cannot(outcome):
    baseline = outcome.results["linear_baseline_loss"]
    assert 0.1 < baseline < 0.5  # make_friedman1 is not linear in its features
    for run_, trial in zip(outcome.results["runs"], outcome.trials, strict=True):
        start = trial.metrics["epoch_loss"][0]
        assert run_["status"] == "finished", run_["label"]
        assert run_["final_loss"] < 0.25 * start, run_["label"]
        assert run_["final_loss"] < baseline, run_["label"]
        assert run_["final_val_loss"] < 0.5 * trial.metrics["val_loss"][0], run_["label"]


def test_initial_loss_is_that_of_the_seeded_network():
    config = dataclasses.replace(SHORT, optimizers=("sgd:lr=0.05",), epochs=1)
    outcome = run(config, default_data(config))
    _, epoch_losses = replay_with_torch(config, "sgd", {"lr": 0.05})
    assert outcome.trials[0].metrics["epoch_loss"][0] == pytest.approx(epoch_losses[0], rel=1e-12)


ORACLE = ("sgd:lr=0.05", "momentum:lr=0.005", "nesterov:lr=0.005", "adam:lr=0.05", "rmsprop")


@pytest.fixture(scope="module")
def short_outcome():
    config = dataclasses.replace(SHORT, optimizers=ORACLE)
    return run(config, default_data(config))


@pytest.mark.parametrize("index", range(len(ORACLE)))
def test_trajectory_matches_torch_optim(short_outcome, index):
    """descentlab's optimizer through the adaptor and torch.optim's own, on the same batches
    from the same start: the same loss at every update (float64)."""
    run_, trial = short_outcome.results["runs"][index], short_outcome.trials[index]
    batch_losses, epoch_losses = replay_with_torch(
        SHORT, run_["optimizer"], run_["hyperparameters"]
    )
    np.testing.assert_allclose(trial.metrics["batch_loss"], batch_losses, rtol=1e-8)
    np.testing.assert_allclose(trial.metrics["epoch_loss"], epoch_losses, rtol=1e-8)
    assert epoch_losses[-1] < 0.5 * epoch_losses[0]


def test_without_a_validation_part():
    config = dataclasses.replace(SHORT, optimizers=("adam:lr=0.01",), val_fraction=0.0, epochs=2)
    outcome = run(config, default_data(config))
    assert outcome.results["split"] == {"train": 200, "validation": 0}
    assert outcome.results["runs"][0]["steps"] == 20
    assert "val_loss" not in outcome.trials[0].metrics
    assert "final_val_loss" not in outcome.results["runs"][0]


def test_diverging_mlp_run_is_recorded():
    config = dataclasses.replace(SHORT, optimizers=("sgd:lr=1e6",), epochs=3)
    outcome = run(config, default_data(config))
    assert outcome.status == "diverged" and "diverged at epoch" in outcome.trials[0].message


BAD = [
    ({"model": "cnn"}, ValueError, r"model must be one of 'linear', 'mlp', got 'cnn'"),
    ({"layers": "32,0"}, ValueError, r"layers entry must be a positive integer, got 0"),
    ({"layers": ""}, ValueError, r"layers must list at least one hidden width for model 'mlp'"),
    ({"activation": "swish"}, ValueError, r"activation must be one of 'relu', .*got 'swish'"),
    ({"val_fraction": "1"}, ValueError, r"val_fraction must be a number in \[0, 1\), got 1.0"),
    ({"val_fraction": "-0.1"}, ValueError, r"val_fraction must be .*, got -0.1"),
    ({"friedman_noise": "-1"}, ValueError, r"friedman_noise must be .*, got -1.0"),
    ({"n_features": "3"}, ValueError, r"n_features must be at least 5 for make_friedman1.*, got 3"),
    ({"optimizers": "adam:betas=1/0.9"}, ValueError, r"betas\[0\] must be a number in \[0, 1\)"),
    (
        {"n_samples": "10", "val_fraction": "0.5", "batch_size": "20", "drop_last": "true"},
        ValueError,
        r"batch_size must be at most n_samples when drop_last is true, got batch_size=20 for 5",
    ),
]


@pytest.mark.parametrize(("overrides", "error", "message"), BAD)
def test_bad_config_values(overrides, error, message):
    with pytest.raises(error, match=message):
        config = resolve_config("optimizers", {"model": "mlp", **overrides})
        run(config, default_data(config))


def test_cli_run_writes_json_and_figures(tmp_path):
    settings = ["--set", "model=mlp", "--set", "epochs=2", "--set", "optimizers=sgd,adam:lr=0.01"]
    payload = run_json("optimizers", *settings, "--out", str(tmp_path / "out"))
    results = payload["results"]
    assert payload["status"] == "finished" and results["model"] == "mlp"
    for run_ in results["runs"]:
        assert {"optimizer", "hyperparameters", "final_loss", "steps", "final_val_loss"} <= set(
            run_
        )
        assert run_["steps"] == 16 and isinstance(run_["final_loss"], float)
    assert "no least-squares optimum" in results["losses"]
    assert results["network"]["parameters"] == 5 * 32 + 32 + 32 * 16 + 16 + 16 + 1
    assert payload["config"]["dataset"]["source"].startswith("sklearn.datasets.make_friedman1")
    names = {f["name"]: f for f in payload["figures"]}
    assert set(names) == {"optimizers-loss", "optimizers-validation"}
    assert "no least-squares optimum" in names["optimizers-loss"]["caption"]
    for figure in payload["figures"]:
        assert Path(figure["png"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
