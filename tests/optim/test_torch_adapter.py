"""The PyTorch adaptor: DescentlabOptimizer trains like torch.optim, make_torch_optimizer gives
torch.optim's own class, ScheduleAdapter drives torch optimizers with descentlab schedules."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as tl

from descentlab.optim import OPTIMIZERS
from descentlab.optim.schedules import CosineAnnealingLR, LinearLR, SequentialLR, make_schedule
from descentlab.optim.torch_adapter import (
    DescentlabOptimizer,
    ScheduleAdapter,
    make_torch_optimizer,
    make_torch_scheduler,
)

ATOL = 1e-10
X = torch.randn(32, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
Y = torch.randn(32, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64)

HYPER: dict[str, dict[str, Any]] = {
    "sgd": {"lr": 0.1, "weight_decay": 0.01},
    "momentum": {"lr": 0.05},
    "nesterov": {"lr": 0.05, "weight_decay": 0.01},
    "adagrad": {"lr": 0.1, "lr_decay": 0.01},
    "rmsprop": {"lr": 0.01, "centered": True, "momentum": 0.5},
    "adadelta": {"lr": 1.0},
    "adam": {"lr": 0.01, "betas": (0.5, 0.99)},
    "amsgrad": {"lr": 0.01, "weight_decay": 0.01},
    "adamw": {"lr": 0.01},
    "nadam": {"lr": 0.01, "decoupled_weight_decay": True, "weight_decay": 0.1},
    "radam": {"lr": 0.01},
}


def _model() -> torch.nn.Linear:
    torch.manual_seed(0)
    return torch.nn.Linear(4, 3).double()


def _train(model: torch.nn.Module, optimizer: torch.optim.Optimizer, steps: int, scheduler=None):
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X), Y)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return loss.item()


def _max_difference(a: torch.nn.Module, b: torch.nn.Module) -> float:
    return max(
        (p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters(), strict=True)
    )


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.usefixtures("float64_default")
def test_trains_a_linear_model_like_torch_optim(name: str) -> None:
    ours_model, torch_model = _model(), _model()
    ours = DescentlabOptimizer(
        [{"params": [ours_model.weight]}, {"params": [ours_model.bias], "lr": 0.005}],
        name,
        **HYPER[name],
    )
    reference = make_torch_optimizer(
        name,
        [{"params": [torch_model.weight]}, {"params": [torch_model.bias], "lr": 0.005}],
        **HYPER[name],
    )
    initial = torch.nn.functional.mse_loss(ours_model(X), Y).item()
    final = _train(ours_model, ours, 40)
    _train(torch_model, reference, 40)
    assert _max_difference(ours_model, torch_model) < ATOL
    assert final < initial


@pytest.mark.usefixtures("float64_default")
def test_torch_schedulers_and_schedule_adapter_drive_it() -> None:
    warmup_cosine = SequentialLR(
        [LinearLR(0.05, 0.1, total_iters=5), CosineAnnealingLR(0.05, 20)], [5]
    )
    models = [_model() for _ in range(3)]
    optimizers = [
        DescentlabOptimizer(models[0].parameters(), "adam", lr=0.05),
        DescentlabOptimizer(models[1].parameters(), "adam", lr=0.05),
        torch.optim.Adam(models[2].parameters(), lr=0.05),
    ]
    schedulers = [
        ScheduleAdapter(optimizers[0], warmup_cosine),
        tl.SequentialLR(
            optimizers[1],
            [
                tl.LinearLR(optimizers[1], 0.1, total_iters=5),
                tl.CosineAnnealingLR(optimizers[1], 20),
            ],
            [5],
        ),
        ScheduleAdapter(optimizers[2], warmup_cosine),
    ]
    for model, optimizer, scheduler in zip(models, optimizers, schedulers, strict=True):
        _train(model, optimizer, 30, scheduler)
    assert _max_difference(models[0], models[1]) < ATOL
    assert _max_difference(models[0], models[2]) < ATOL


@pytest.mark.usefixtures("float64_default")
def test_state_dict_round_trip_continues_exactly() -> None:
    straight_model, resumed_model = _model(), _model()
    straight = DescentlabOptimizer(straight_model.parameters(), "nadam", lr=0.01)
    _train(straight_model, straight, 20)

    first = DescentlabOptimizer(resumed_model.parameters(), "nadam", lr=0.01)
    _train(resumed_model, first, 10)
    buffer = io.BytesIO()
    torch.save({"model": resumed_model.state_dict(), "optim": first.state_dict()}, buffer)
    buffer.seek(0)
    checkpoint = torch.load(buffer, weights_only=True)
    restored_model = torch.nn.Linear(4, 3).double()
    restored_model.load_state_dict(checkpoint["model"])
    restored = DescentlabOptimizer(restored_model.parameters(), "nadam", lr=0.01)
    restored.load_state_dict(checkpoint["optim"])
    _train(restored_model, restored, 10)
    for p, q in zip(restored_model.parameters(), straight_model.parameters(), strict=True):
        assert torch.equal(p, q)


def test_frozen_parameters_are_left_alone_and_get_no_state() -> None:
    model = _model()
    model.bias.requires_grad_(False)
    bias = model.bias.detach().clone()
    optimizer = DescentlabOptimizer(model.parameters(), "adam", lr=0.1)
    _train(model, optimizer, 3)
    assert torch.equal(model.bias, bias)
    assert model.bias not in optimizer.state
    assert set(optimizer.state[model.weight]) >= {"0/exp_avg", "0/exp_avg_sq", "0/step"}


def test_float32_models_are_updated_in_float32() -> None:
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3)
    optimizer = DescentlabOptimizer(model.parameters(), "sgd", lr=0.1)
    optimizer.zero_grad()
    torch.nn.functional.mse_loss(model(X.float()), Y.float()).backward()
    before = model.weight.detach().clone()
    expected = (before.double() - 0.1 * model.weight.grad.double()).float()
    optimizer.step()
    assert model.weight.dtype == torch.float32
    assert torch.equal(model.weight.detach(), expected)


@pytest.mark.parametrize(
    "name, cls, expected",
    [
        ("sgd", torch.optim.SGD, {"lr": 1e-3, "momentum": 0, "nesterov": False}),
        ("momentum", torch.optim.SGD, {"momentum": 0.9, "nesterov": False}),
        ("nesterov", torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
        ("adagrad", torch.optim.Adagrad, {"lr": 1e-2}),
        ("rmsprop", torch.optim.RMSprop, {"alpha": 0.99}),
        ("adadelta", torch.optim.Adadelta, {"lr": 1.0}),
        ("adam", torch.optim.Adam, {"amsgrad": False}),
        ("amsgrad", torch.optim.Adam, {"amsgrad": True}),
        ("adamw", torch.optim.AdamW, {"weight_decay": 1e-2}),
        ("nadam", torch.optim.NAdam, {"lr": 2e-3}),
        ("radam", torch.optim.RAdam, {"lr": 1e-3}),
    ],
)
def test_make_torch_optimizer_gives_torch_optims_own_class(
    name: str, cls: type, expected: dict[str, Any]
) -> None:
    optimizer = make_torch_optimizer(name, [torch.zeros(2, requires_grad=True)])
    assert type(optimizer) is cls
    for key, value in expected.items():
        assert optimizer.defaults[key] == value


def test_adapters_refuse_bad_arguments_with_our_messages() -> None:
    params = [torch.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match=r"name must be one of .*, got 'lbfgs'"):
        make_torch_optimizer("lbfgs", params)
    with pytest.raises(ValueError, match=r"betas\[1\] must be a number in \[0, 1\), got 1\.0"):
        make_torch_optimizer("adam", params, betas=(0.9, 1.0))
    with pytest.raises(TypeError, match=r"lr must be a number for torch.optim"):
        make_torch_optimizer("adam", params, lr=CosineAnnealingLR(0.1, 10))
    with pytest.raises(ValueError, match=r"lr must be a finite number >= 0 .*, got -1\.0"):
        DescentlabOptimizer([{"params": params, "lr": -1.0}], "sgd")
    with pytest.raises(ValueError, match=r"momentum must be a finite number >= 0, got -0\.5"):
        make_torch_optimizer("sgd", [{"params": params, "momentum": -0.5}])
    with pytest.raises(ValueError, match=r"schedules must be one schedule or one per param group"):
        ScheduleAdapter(torch.optim.SGD(params, lr=0.1), [CosineAnnealingLR(0.1, 5)] * 2)
    assert np.isfinite(float(DescentlabOptimizer(params, "adam").param_groups[0]["lr"]))


SCHEDULER_HYPER: dict[str, dict[str, Any]] = {
    "step": {"step_size": 5, "gamma": 0.5},
    "multistep": {"milestones": (3, 9), "gamma": 0.3},
    "exponential": {"gamma": 0.9},
    "cosine": {"T_max": 10, "eta_min": 0.001},
    "cosine_warm_restarts": {"T_0": 4, "T_mult": 2},
    "linear": {"start_factor": 0.2, "total_iters": 6},
    "one_cycle": {"max_lr": 0.5, "total_steps": 40},
}


@pytest.mark.parametrize("name", SCHEDULER_HYPER)
def test_make_torch_scheduler_matches_the_numpy_schedule(name: str) -> None:
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    scheduler = make_torch_scheduler(name, optimizer, **SCHEDULER_HYPER[name])
    base = {} if name == "one_cycle" else {"lr": 0.1}
    ours = make_schedule(name, **base, **SCHEDULER_HYPER[name])
    for t in range(41):
        if t:
            optimizer.step()
            scheduler.step()
        assert optimizer.param_groups[0]["lr"] == pytest.approx(ours(t), rel=1e-10)


def test_make_torch_scheduler_plateau_and_refusals() -> None:
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = make_torch_scheduler("plateau", optimizer, patience=1, mode="max")
    ours = make_schedule("plateau", lr=0.1, patience=1, mode="max")
    state = ours.init()
    for metric in [1.0, 0.5, 0.5, 2.0, float("nan"), 1.0, 1.0, 1.0]:
        scheduler.step(metric)
        lr, state = ours.update(state, metric)
        assert optimizer.param_groups[0]["lr"] == pytest.approx(lr, rel=1e-10)
    with pytest.raises(ValueError, match=r"T_max must be a positive integer, got 0"):
        make_torch_scheduler("cosine", optimizer, T_max=0)
    with pytest.raises(TypeError, match=r"lr must not be given to make_torch_scheduler"):
        make_torch_scheduler("step", optimizer, lr=0.1, step_size=3)
    with pytest.raises(ValueError, match=r"name must be one of .*, got 'sequential'"):
        make_torch_scheduler("sequential", optimizer)
