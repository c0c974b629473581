"""The range test on real models: suggestion vs 2/λmax, early stops, exact restoration, inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import descentlab as dl
from descentlab.data import regression_data
from descentlab.data.synthetic import standardize
from descentlab.linear.stability import stability_bound
from descentlab.lrfind import lr_range_test
from descentlab.optim.torch_adapter import DescentlabOptimizer


@pytest.fixture
def problem():
    data = regression_data(120, 4, noise=10.0, random_state=3)
    y, _ = standardize(data.y)
    return data.X, y


def _linear(n: int) -> torch.nn.Module:
    model = torch.nn.Linear(n, 1, bias=False).double()
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(dl.linear.initial.initial_weight(n, 0).T))
    return model


def _batches(X, y, size=None):
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    size = size or len(X)
    return [(X[i : i + size], y[i : i + size]) for i in range(0, len(X), size)]


def test_suggestion_is_stable_and_training_at_it_converges(problem):
    X, y = problem
    model = _linear(4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    result = lr_range_test(
        model, optimizer, torch.nn.MSELoss(), _batches(X, y), min_lr=1e-4, max_lr=10, num_steps=80
    )
    bound = stability_bound(X)
    assert result.suggested_lrate is not None and result.suggested_lrate < bound
    history = dl.GD(X, y, epochs=300, lrate=result.suggested_lrate, seed=0)
    np.testing.assert_allclose(history.weights[-1], dl.least_squares(X, y), rtol=1e-6)


def test_a_ramp_past_the_bound_stops_early(problem):
    X, y = problem
    model = _linear(4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    result = lr_range_test(
        model, optimizer, torch.nn.MSELoss(), _batches(X, y), min_lr=1e-3, max_lr=1e3, num_steps=100
    )
    assert result.stop_reason == "diverged" and result.stopped_early
    assert len(result.losses) < 100 and result.lrates[-1] > stability_bound(X)
    assert result.smoothed[-1] > 4.0 * result.smoothed.min()
    running_best = np.minimum.accumulate(result.smoothed)
    assert np.all(result.smoothed[:-1] <= 4.0 * running_best[:-1])  # it stopped at the first
    payload = result.as_json()
    assert payload["stopped_early"] is True and len(payload["lrates"]) == len(result.losses)
    assert len(payload["smoothed_two_way"]) == len(result.losses)


def test_a_non_finite_loss_stops_the_ramp(problem):
    X, y = problem
    model = _linear(4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    result = lr_range_test(
        model,
        optimizer,
        torch.nn.MSELoss(),
        _batches(X, y),
        min_lr=1.0,
        max_lr=1e150,
        num_steps=60,
        divergence_factor=1e300,
    )
    assert result.stop_reason == "non-finite loss" and not np.isfinite(result.losses[-1])


def test_a_one_shot_iterator_ends_the_test(problem):
    X, y = problem
    model = _linear(4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    batches = iter(_batches(X, y, size=40))  # 3 batches, then nothing
    result = lr_range_test(model, optimizer, torch.nn.MSELoss(), batches, num_steps=10)
    assert result.stop_reason == "out of batches" and len(result.losses) == 3
    again = lr_range_test(
        model, optimizer, torch.nn.MSELoss(), _batches(X, y, size=40), num_steps=10, max_lr=1e-2
    )
    assert again.stop_reason == "completed" and len(again.losses) == 10  # a list restarts


def _snapshot(model, optimizer):
    params = {k: v.detach().clone() for k, v in model.state_dict().items()}
    grads = [None if p.grad is None else p.grad.clone() for p in model.parameters()]
    state = optimizer.state_dict()
    opt_state = {
        i: {k: (v.clone() if isinstance(v, torch.Tensor) else v) for k, v in s.items()}
        for i, s in state["state"].items()
    }
    groups = [dict(g) for g in state["param_groups"]]
    modes = [m.training for m in model.modules()]
    return params, grads, opt_state, groups, modes


def _assert_identical(before, after):
    for (k, a), (k2, b) in zip(before[0].items(), after[0].items(), strict=True):
        assert k == k2 and torch.equal(a, b), k
    for a, b in zip(before[1], after[1], strict=True):
        assert (a is None and b is None) or torch.equal(a, b)
    assert before[2].keys() == after[2].keys()
    for i in before[2]:
        for k, v in before[2][i].items():
            w = after[2][i][k]
            assert torch.equal(v, w) if isinstance(v, torch.Tensor) else v == w, (i, k)
    assert before[3] == after[3] and before[4] == after[4]


@pytest.mark.parametrize("kind", ["adam", "sgd-momentum", "descentlab-adam", "fresh-adam"])
def test_model_and_optimizer_are_restored_bit_for_bit(kind):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.BatchNorm1d(8), torch.nn.Tanh(), torch.nn.Linear(8, 1)
    ).double()
    params = model.parameters()
    optimizer = {
        "adam": lambda: torch.optim.Adam(params, lr=0.01),
        "fresh-adam": lambda: torch.optim.Adam(params, lr=0.01),
        "sgd-momentum": lambda: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "descentlab-adam": lambda: DescentlabOptimizer(params, "adam", lr=0.01),
    }[kind]()
    X = torch.randn(32, 3, dtype=torch.float64)
    y = X.sum(dim=1, keepdim=True)
    if kind != "fresh-adam":  # some history: optimizer state, BN statistics, a gradient
        for _ in range(3):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(X), y).backward()
            optimizer.step()
        torch.nn.functional.mse_loss(model(X), y).backward()
    model[1].eval()  # a mixed train/eval state must come back too
    before = _snapshot(model, optimizer)
    result = lr_range_test(model, optimizer, torch.nn.MSELoss(), [(X, y)], num_steps=30)
    assert len(result.losses) > 1
    _assert_identical(before, _snapshot(model, optimizer))
    if kind == "fresh-adam":
        assert optimizer.state_dict()["state"] == {}


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_on_cuda(problem):
    X, y = problem
    model = _linear(4).cuda()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    weight = model.weight.detach().clone()
    result = lr_range_test(model, optimizer, torch.nn.MSELoss(), _batches(X, y), num_steps=50)
    assert result.suggested_lrate is not None and torch.equal(model.weight, weight)


def _arguments():
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    batches = [(torch.ones(4, 2), torch.ones(4, 1))]
    return model, optimizer, torch.nn.MSELoss(), batches


BAD = [
    ({"model": "net"}, TypeError, "model must be a torch.nn.Module, got 'net'"),
    ({"optimizer": None}, TypeError, "optimizer must be a torch.optim.Optimizer, got None"),
    ({"loss_fn": 3}, TypeError, "loss_fn must be callable, got 3"),
    ({"batches": "abc"}, TypeError, "batches must be an iterable of"),
    ({"batches": 5}, TypeError, "batches must be an iterable of"),
    ({"min_lr": -1.0}, ValueError, "min_lr must be a finite positive number, got -1.0"),
    ({"min_lr": 1.0, "max_lr": 0.5}, ValueError, "max_lr must be greater than min_lr"),
    ({"num_steps": 1}, ValueError, "num_steps must be an integer >= 2, got 1"),
    ({"num_steps": "10"}, TypeError, "num_steps must be an integer >= 2, got '10'"),
    ({"smoothing": 1.0}, ValueError, r"smoothing must be a number in \[0, 1\), got 1.0"),
    ({"smoothing": -0.1}, ValueError, r"smoothing must be a number in \[0, 1\)"),
    ({"divergence_factor": 1.0}, ValueError, "divergence_factor must be a number > 1, got 1.0"),
    ({"divergence_factor": np.nan}, ValueError, "divergence_factor must be a finite positive"),
    ({"batches": [torch.ones(4, 2)]}, TypeError, "each batch must be an .inputs, targets. pair"),
    ({"loss_fn": torch.nn.MSELoss(reduction="none")}, TypeError, "loss_fn must return a one-"),
]


@pytest.mark.parametrize(("change", "error", "needle"), BAD)
def test_bad_arguments(change, error, needle):
    model, optimizer, loss_fn, batches = _arguments()
    weight = model.weight.detach().clone()
    args = {"model": model, "optimizer": optimizer, "loss_fn": loss_fn, "batches": batches}
    args.update({k: v for k, v in change.items() if k in args})
    options = {k: v for k, v in change.items() if k not in args}
    with pytest.raises(error, match=needle):
        lr_range_test(args["model"], args["optimizer"], args["loss_fn"], args["batches"], **options)
    assert torch.equal(model.weight, weight)  # even a failing test restores the model


def test_an_optimizer_over_foreign_parameters_is_refused():
    model, _, loss_fn, batches = _arguments()
    other = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="optimizer must only hold parameters of model"):
        lr_range_test(model, other, loss_fn, batches)
