"""The lr-find experiment (SPEC §2.12) on the linear model and on an MLP."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import torch

from descentlab.experiments import lr_find
from descentlab.experiments.linear_problem import linear_problem
from descentlab.experiments.runner import resolve_config, run_experiment
from descentlab.lrfind import lr_range_test
from descentlab.models import make_model
from descentlab.optim.torch_adapter import make_torch_optimizer

from .cli_runs import run_json


def test_lr_find_defaults(tmp_path):
    report = run_experiment("lr-find", out=tmp_path)
    r = report.results
    assert {
        "lrates",
        "losses",
        "smoothed",
        "suggested_lrate",
        "stopped_early",
        "stop_reason",
    } <= set(r)
    assert len(r["lrates"]) == len(r["losses"]) == len(r["smoothed"]) <= 100
    assert r["stopped_early"] is True and r["stop_reason"] == "diverged"
    assert r["lrates"][0] == pytest.approx(1e-4) and r["model"] == "linear"
    assert 1e-4 < r["suggested_lrate"] < r["stability_bound"]
    training = r["training"]
    assert training["status"] == "finished" and training["lrate"] == r["suggested_lrate"]
    assert training["final_loss"] < 1.2 * training["optimum_loss"]
    assert [f["name"] for f in report.figures] == ["lr-find"]
    json.dumps(report.as_json(), allow_nan=False)


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"model": "cnn"}, "model must be one of 'linear', 'mlp', got 'cnn'"),
        ({"backend": "numpy"}, "backend must be one of 'torch', got 'numpy'"),
        ({"min_lr": "1", "max_lr": "0.1"}, r"max_lr must be greater than min_lr \(1.0\), got 0.1"),
        ({"num_steps": "1"}, "num_steps must be an integer >= 2, got 1"),
        ({"smoothing": "1"}, r"smoothing must be a number in \[0, 1\), got 1.0"),
        ({"divergence_factor": "0.5"}, "divergence_factor must be a number > 1, got 0.5"),
        ({"optimizer": "lbfgs"}, "optimizer must be one of 'sgd'"),
        ({"device": "tpu"}, "device must be one of 'cpu', 'cuda', got 'tpu'"),
    ],
)
def test_bad_config(overrides, needle):
    with pytest.raises(ValueError, match=needle):
        resolve_config("lr-find", overrides)


MLP = {"model": "mlp", "train_epochs": "10"}


def test_lr_find_on_an_mlp_trains_stably_at_the_suggested_rate():
    config = resolve_config("lr-find", MLP)
    outcome = lr_find.run(config, lr_find.default_data(config))
    r = outcome.results
    assert r["model"] == "mlp" and r["network"] == {"layers": [32, 16], "activation": "tanh"}
    assert r["stability_bound"] is None  # an MLP's loss is no quadratic
    assert r["suggested_lrate"] is not None and config.min_lr < r["suggested_lrate"]
    assert r["suggested_lrate"] < r["lrates"][-1]
    history = outcome.trials[1].metrics["loss"]
    assert r["training"]["status"] == "finished" and len(history) == 11
    assert np.all(np.isfinite(history)) and history[-1] < 0.2 * history[0]
    assert np.all(np.diff(history) < 0.05 * history[0])  # no jump back up
    # the range test restored the network: training starts from the seeded one's loss
    problem = linear_problem(lr_find.default_data(config))
    seeded = make_model("mlp", 4, layers=(32, 16), activation="tanh", seed=0).double()
    with torch.no_grad():
        start = torch.nn.functional.mse_loss(
            seeded(torch.from_numpy(problem.X)), torch.from_numpy(problem.y)
        )
    assert history[0] == pytest.approx(float(start), rel=1e-12)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_range_test_restores_an_mlp_and_its_optimizer(name):
    """After a few real steps (so the optimizer has state), the test leaves both as they were."""
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(64, 4, generator=generator, dtype=torch.float64)
    y = torch.sin(X[:, :1]) + X[:, 1:2] ** 2
    model = make_model("mlp", 4, layers=(16, 8), activation="relu", seed=1).double()
    optimizer = make_torch_optimizer(name, model.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    for _ in range(3):
        optimizer.zero_grad()
        loss_fn(model(X), y).backward()
        optimizer.step()
    before = copy.deepcopy(model.state_dict())
    state_before = copy.deepcopy(optimizer.state_dict())
    grads = [p.grad.clone() for p in model.parameters()]
    model.eval()
    found = lr_range_test(model, optimizer, loss_fn, [(X[:32], y[:32]), (X[32:], y[32:])])
    assert found.suggested_lrate is not None and len(found.lrates) > 10
    assert not model.training
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key
    for p, grad in zip(model.parameters(), grads, strict=True):
        assert torch.equal(p.grad, grad)
    state_after = optimizer.state_dict()
    assert state_after["param_groups"] == state_before["param_groups"]
    for index, buffers in state_before["state"].items():
        for key, value in buffers.items():
            assert torch.equal(torch.as_tensor(state_after["state"][index][key]), value), key


def test_lr_find_mlp_bad_layers():
    with pytest.raises(ValueError, match="layers entry must be a positive integer, got 0"):
        resolve_config("lr-find", {"model": "mlp", "layers": "8,0"})
    with pytest.raises(ValueError, match=r"activation must be one of 'relu', .*got 'swish'"):
        resolve_config("lr-find", {"model": "mlp", "activation": "swish"})


def test_cli_lr_find_mlp(tmp_path):
    settings = ["--set", "model=mlp", "--set", "num_steps=40", "--set", "train_epochs=3"]
    payload = run_json("lr-find", *settings, "--out", str(tmp_path / "o"))
    assert payload["results"]["model"] == "mlp" and payload["status"] == "finished"
    assert [f["name"] for f in payload["figures"]] == ["lr-find"]
