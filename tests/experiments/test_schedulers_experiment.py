"""The §2.7 schedulers experiment: the rates used, checked against torch.optim.lr_scheduler."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from descentlab.experiments.runner import resolve_config, run_experiment
from descentlab.experiments.schedulers import SchedulersConfig, default_data, run
from descentlab.linear.batches import batch_indices
from descentlab.linear.initial import batch_rng

CONFIG = SchedulersConfig()
SPEC_SET = {"step", "exponential", "cosine", "plateau", "warmup_cosine", "one_cycle"}


@pytest.fixture(scope="module")
def outcome():
    return run(CONFIG, default_data(CONFIG))


def torch_scheduler(name: str, hyper: dict, optimizer: torch.optim.Optimizer):
    """torch's own scheduler for a run's resolved hyperparameters (None: a constant rate)."""
    sched = torch.optim.lr_scheduler
    if name == "constant":
        return None
    if name == "step":
        return sched.StepLR(optimizer, hyper["step_size"], hyper["gamma"])
    if name == "exponential":
        return sched.ExponentialLR(optimizer, hyper["gamma"])
    if name == "cosine":
        return sched.CosineAnnealingLR(optimizer, hyper["T_max"], hyper["eta_min"])
    if name == "plateau":
        keys = ("factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr")
        return sched.ReduceLROnPlateau(optimizer, **{k: hyper[k] for k in keys})
    if name == "warmup_cosine":
        warm = sched.LinearLR(
            optimizer, hyper["start_factor"], 1.0, total_iters=hyper["warmup_steps"]
        )
        cosine = sched.CosineAnnealingLR(optimizer, hyper["T_max"], hyper["eta_min"])
        return sched.SequentialLR(optimizer, [warm, cosine], milestones=[hyper["warmup_steps"]])
    if name == "one_cycle":
        keys = ("max_lr", "total_steps", "pct_start", "anneal_strategy", "div_factor")
        return sched.OneCycleLR(
            optimizer,
            **{k: hyper[k] for k in keys},
            final_div_factor=hyper["final_div_factor"],
            cycle_momentum=False,
        )
    raise AssertionError(name)


def torch_lrates(run_: dict, epoch_losses: np.ndarray, steps_per_epoch: int) -> list[float]:
    """The rate torch's SGD holds at each step, the scheduler stepped as the experiment says."""
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=CONFIG.lrate)
    scheduler = torch_scheduler(run_["scheduler"], run_["hyperparameters"], optimizer)
    rates = []
    for epoch in range(CONFIG.epochs):
        for _ in range(steps_per_epoch):
            rates.append(optimizer.param_groups[0]["lr"])
            param.grad = torch.zeros_like(param)
            optimizer.step()
            if scheduler is not None and run_["scheduler"] != "plateau":
                scheduler.step()
        if run_["scheduler"] == "plateau":
            scheduler.step(float(epoch_losses[epoch + 1]))
    return rates


def test_defaults_cover_the_spec_set(outcome):
    assert {r["scheduler"] for r in outcome.results["runs"]} >= SPEC_SET
    assert outcome.results["optimizer"]["name"] == "sgd"


def test_lrates_match_torch_lr_scheduler(outcome):
    per_epoch = outcome.results["steps_per_epoch"]
    for run_, trial in zip(outcome.results["runs"], outcome.trials, strict=True):
        expected = torch_lrates(run_, trial.metrics["epoch_loss"], per_epoch)
        np.testing.assert_allclose(run_["lrates"], expected, rtol=1e-10, err_msg=run_["label"])


def test_one_rate_per_update_and_equal_updates(outcome):
    updates = outcome.results["updates"]
    assert updates == CONFIG.epochs * 10
    for run_, trial in zip(outcome.results["runs"], outcome.trials, strict=True):
        assert len(run_["lrates"]) == run_["steps"] == updates
        np.testing.assert_array_equal(trial.metrics["lrate"], run_["lrates"])
    plateau = next(r for r in outcome.results["runs"] if r["scheduler"] == "plateau")
    assert len(set(plateau["lrates"])) > 2  # it did reduce, more than once


def test_the_rate_recorded_is_the_rate_that_moved_the_weights(outcome):
    """Plain SGD: w_{t+1} = w_t - lr_t * g_t on the seeded batches, for every schedule."""
    data = default_data(CONFIG)
    X = (data.X - data.X.mean(0)) / data.X.std(0)
    y = (data.y - data.y.mean()) / data.y.std()
    n = CONFIG.n_features
    for run_, trial in zip(outcome.results["runs"], outcome.trials, strict=True):
        w = np.stack([trial.metrics[f"weight[{j}]"] for j in range(n)], axis=1)
        rng, step = batch_rng(CONFIG.seed), 0
        for _ in range(CONFIG.epochs):
            for idx in batch_indices(len(y), CONFIG.batch_size, rng=rng):
                grad = (-2 / len(idx) * X[idx].T @ (y[idx] - X[idx] @ w[step, :, None])).ravel()
                lr = run_["lrates"][step]
                np.testing.assert_allclose(w[step + 1], w[step] - lr * grad, rtol=1e-12, atol=0)
                step += 1


def test_decaying_schedules_end_closer_than_a_constant_rate(outcome):
    final = {r["scheduler"]: r["final_distance_to_optimum"] for r in outcome.results["runs"]}
    for name in SPEC_SET:
        assert final[name] < final["constant"], name


def test_momentum_optimizer_and_custom_schedules(tmp_path):
    report = run_experiment(
        "schedulers",
        out=tmp_path,
        overrides={
            "schedulers": "step:step_size=7:gamma=0.5,warmup_cosine:warmup_steps=5",
            "optimizer": "momentum:momentum=0.5",
            "epochs": "3",
        },
    )
    payload = json.loads(json.dumps(report.as_json(), allow_nan=False))
    runs = payload["results"]["runs"]
    assert [r["scheduler"] for r in runs] == ["step", "warmup_cosine"]
    assert runs[0]["lrates"][:8] == [0.1] * 7 + [0.05]
    assert runs[1]["hyperparameters"]["T_max"] == 25
    assert payload["results"]["optimizer"]["hyperparameters"]["momentum"] == 0.5
    for run_ in runs:
        assert {"scheduler", "hyperparameters", "lrates", "final_loss"} <= set(run_)
    assert {f["name"] for f in report.figures} == {"schedulers-lrates", "schedulers-loss"}


BAD = [
    ({"schedulers": "cosinus"}, r"schedulers\[0\] name must be one of 'constant', .*'cosinus'"),
    ({"schedulers": "step:gamma=-1"}, r"gamma must be .*, got -1.0 \(in schedulers\[0\]"),
    (
        {"schedulers": "step:gamma=2"},
        r"gamma must be a number in \(0, 1\] \(a decay factor\), got 2.0 \(in schedulers\[0\]",
    ),
    ({"schedulers": "exponential:gamma=1.5"}, r"gamma must be a number in \(0, 1\] .*, got 1.5"),
    ({"schedulers": "cosine:T_max=0"}, r"T_max must be a positive integer, got 0"),
    ({"schedulers": "plateau:factor=1"}, r"factor must be a number in \[0, 1\), got 1.0"),
    ({"schedulers": "plateau:threshold_mode=up"}, r"threshold_mode must be one of 'rel', 'abs'"),
    ({"schedulers": "step:step_size=1.5"}, r"step_size must be an integer, got '1.5'"),
    (
        {"schedulers": "warmup_cosine:warmup_steps=300"},
        r"warmup_steps must be an integer in \[1, 299\] .*, got 300",
    ),
    (
        {"schedulers": "one_cycle:total_steps=100"},
        r"total_steps must be at least the number of updates \(300\), got 100",
    ),
    ({"optimizer": "sgd:lr=0.1"}, r"optimizer must leave lr to the schedules .*'sgd:lr=0.1'"),
    ({"optimizer": "adam:eps=-1"}, r"eps must be a finite number >= 0, got -1.0"),
    ({"lrate": "0"}, r"lrate must be a finite positive number, got 0.0"),
    ({"schedulers": "step,step"}, r"schedulers must not repeat an entry, got 'step'"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD)
def test_bad_config_values(overrides, message):
    with pytest.raises(ValueError, match=message):
        resolve_config("schedulers", overrides)


def test_cli_run_with_set(tmp_path):
    exe = shutil.which("descentlab")
    command = [exe] if exe else [sys.executable, "-m", "descentlab.cli"]
    args = ["run", "schedulers", "--json", "--out", str(tmp_path / "o")]
    args += ["--set", "schedulers=exponential:gamma=0.9,plateau:patience=0", "--set", "epochs=2"]
    done = subprocess.run([*command, *args], capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    exponential = payload["results"]["runs"][0]
    assert exponential["lrates"][:3] == pytest.approx([0.1, 0.09, 0.081], rel=1e-12)
    for figure in payload["figures"]:
        assert Path(figure["png"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
