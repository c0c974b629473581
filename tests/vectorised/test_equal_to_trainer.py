"""Each trial of a vectorised group has the history of its one-by-one ``descentlab train`` run:
the same split, initial weights and batch orders, the same losses, updates and divergence."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.vectorised.conftest import assert_same_run

from descentlab.train.session import _seeds
from descentlab.train.train_config import TrainConfig
from descentlab.vectorised import train_group
from descentlab.vectorised.problem import stream_seeds
from descentlab.vectorised.settings import DEFAULTS

SMALL = {"n_samples": 240, "n_features": 5, "batch_size": 16, "epochs": 3}
CLASSES = {"task": "classify", "dataset": "classification"}

CASES = {
    "linear sgd, rates and seeds": (
        {"model": "linear", "optimizer": "sgd"},
        [{"lrate": 0.002, "seed": 0}, {"lrate": 0.05, "seed": 1}, {"lrate": 0.05, "seed": 0}],
    ),
    "linear momentum, decay, no bias": (
        {"model": "linear", "optimizer": "momentum", "bias": False, "val_fraction": 0.0},
        [{"lrate": 0.01, "weight_decay": 0.05}, {"lrate": 0.02, "momentum": 0.5}],
    ),
    "logistic binary": (
        {"model": "logistic", "optimizer": "sgd", **CLASSES},
        [{"lrate": 0.1, "seed": 3}, {"lrate": 1.0, "seed": 4, "momentum": 0.8}],
    ),
    "logistic three classes, nesterov": (
        {"model": "logistic", "optimizer": "nesterov", "n_classes": 3, **CLASSES},
        [{"lrate": 0.05}, {"lrate": 0.2, "momentum": 0.5, "weight_decay": 0.01}],
    ),
    "mlp relu momentum": (
        {"model": "mlp", "layers": (8, 4), "optimizer": "momentum"},
        [{"lrate": 0.01, "seed": 0}, {"lrate": 0.03, "seed": 2, "weight_decay": 0.01}],
    ),
    "mlp tanh three classes": (
        {
            "model": "mlp",
            "layers": (6,),
            "activation": "tanh",
            "optimizer": "sgd",
            "n_classes": 3,
            **CLASSES,
        },
        [{"lrate": 0.05, "seed": 1}, {"lrate": 0.2, "seed": 1}],
    ),
    "mlp sigmoid binary, nesterov, decay (the compiled step's every term)": (
        {
            "model": "mlp",
            "layers": (6, 3),
            "activation": "sigmoid",
            "optimizer": "nesterov",
            **CLASSES,
        },
        [{"lrate": 0.2, "seed": 0, "weight_decay": 0.01}, {"lrate": 0.5, "momentum": 0.5}],
    ),
    "mlp gelu mae (autograd, not written out)": (
        {
            "model": "mlp",
            "layers": (5,),
            "activation": "gelu",
            "loss": "mae",
            "optimizer": "momentum",
        },
        [{"lrate": 0.01}, {"lrate": 0.05, "seed": 2}],
    ),
    "linear adam, decay": (
        {"model": "linear", "optimizer": "adam"},
        [{"lrate": 0.01, "seed": 0}, {"lrate": 0.1, "seed": 1, "weight_decay": 0.01}],
    ),
    "logistic adam, own betas and eps": (
        {"model": "logistic", "optimizer": "adam", "betas": (0.8, 0.99), "eps": 1e-6, **CLASSES},
        [{"lrate": 0.01}, {"lrate": 0.1}],
    ),
    "mlp adam": (
        {"model": "mlp", "layers": (8, 4), "optimizer": "adam"},
        [{"lrate": 0.01, "seed": 0}, {"lrate": 0.003, "seed": 2, "weight_decay": 0.01}],
    ),
    "linear mae (stacked engine)": (
        {"model": "linear", "loss": "mae", "optimizer": "sgd"},
        [{"lrate": 0.01}, {"lrate": 0.1, "seed": 5}],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_every_trial_equals_its_training_run(case: str, trainer) -> None:
    fixed, trials = CASES[case]
    fixed = {**SMALL, **fixed}
    results = train_group(fixed, trials)
    assert len(results) == len(trials)
    for trial, result in zip(trials, results, strict=True):
        assert result.status == "finished"
        assert_same_run(result, trainer(fixed, trial), rtol=2e-4)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["linear", "mlp"])
def test_a_diverging_trial_stops_alone_where_its_training_run_stops(model: str, trainer) -> None:
    """The rate 50 overflows float32 within three epochs (NOTE [divergence]); the rate 0.01
    beside it trains on, and each history is its trainer run's."""
    fixed = {**SMALL, "model": model, "optimizer": "sgd", "layers": (4,) if model == "mlp" else ()}
    trials = [{"lrate": 50.0}, {"lrate": 0.01}]
    diverged, finished = train_group(fixed, trials)
    assert diverged.status == "diverged" and "diverged" in diverged.message
    assert finished.status == "finished" and len(finished.history["epoch"]) == SMALL["epochs"]
    assert len(diverged.history["epoch"]) < SMALL["epochs"]
    for trial, result in zip(trials, (diverged, finished), strict=True):
        assert_same_run(result, trainer(fixed, trial), rtol=2e-4)


@pytest.mark.slow
@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    model=st.sampled_from(["linear", "logistic"]),
    batch_size=st.integers(1, 40),
    rates=st.lists(st.floats(1e-4, 0.3), min_size=1, max_size=3),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    decay=st.sampled_from([0.0, 1e-3]),
    seed=st.integers(0, 2**31),
)
def test_small_random_groups_equal_their_training_runs(
    model, batch_size, rates, momentum, decay, seed, trainer
) -> None:
    fixed = {"model": model, "optimizer": "sgd", "n_samples": 90, "n_features": 3,
             "batch_size": batch_size, "epochs": 2, "momentum": momentum, "weight_decay": decay}  # fmt: skip
    if model == "logistic":
        fixed.update(CLASSES)
    trials = [{"lrate": rate, "seed": seed + index % 2} for index, rate in enumerate(rates)]
    for trial, result in zip(trials, train_group(fixed, trials), strict=True):
        assert_same_run(result, trainer(fixed, trial), rtol=5e-4)


def test_defaults_are_the_train_configs() -> None:
    """A key left out means the same to the group as to ``TrainConfig``."""
    fields = {f.name: f.default for f in dataclasses.fields(TrainConfig)}
    assert fields == DEFAULTS


def test_devices_are_the_trainers() -> None:
    from descentlab.torch_device import DEVICES
    from descentlab.vectorised.settings import DEVICE_CHOICES

    assert tuple(DEVICES) == DEVICE_CHOICES


@given(st.integers(0, 2**63 - 1))
def test_seed_streams_are_the_trainers(seed: int) -> None:
    assert stream_seeds(seed) == _seeds(seed)
