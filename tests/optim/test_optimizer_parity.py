"""Every optimizer configuration against torch.optim as the oracle, step by step.

One table (:data:`CASES`) drives one generic test: identical deterministic gradients go to the
NumPy optimizer and to ``torch.optim``; after every one of 50 steps all parameters and every
state buffer torch keeps are compared in float64 with rtol 1e-10.

Every case has a 0-d parameter; the table also covers two parameter groups with different
hyperparameters, a frozen parameter (``requires_grad=False``: torch never gives it a gradient,
so the NumPy side gets ``None``), fixed 1e6 gradients, weight decay, maximize, gradients that
depend on the parameters (a quadratic) and learning-rate schedules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as torch_schedules

from descentlab.optim import apply_updates, make_optimizer
from descentlab.optim.schedules import CosineAnnealingLR, OneCycleLR, StepLR
from descentlab.optim.torch_adapter import make_torch_optimizer

STEPS = 50
RTOL = 1e-10
SHAPES = {"w": (3, 2), "b": (4,), "s": ()}

# (NumPy schedule from the group's lr, torch scheduler from the optimizer and the groups' lrs)
SCHEDULE_PAIRS: dict[str, tuple[Callable[[float], Any], Callable[..., Any]]] = {
    "cosine": (
        lambda lr: CosineAnnealingLR(lr, T_max=20, eta_min=lr / 10),
        lambda opt, lrs: torch_schedules.CosineAnnealingLR(opt, T_max=20, eta_min=lrs[0] / 10),
    ),
    "step": (
        lambda lr: StepLR(lr, step_size=8, gamma=0.5),
        lambda opt, lrs: torch_schedules.StepLR(opt, step_size=8, gamma=0.5),
    ),
    "one_cycle": (
        lambda lr: OneCycleLR(lr, total_steps=STEPS, three_phase=True),
        lambda opt, lrs: torch_schedules.OneCycleLR(
            opt, max_lr=lrs, total_steps=STEPS, three_phase=True, cycle_momentum=False
        ),
    ),
}


@dataclass(frozen=True)
class OptimCase:
    """One row of the table: optimizer name and hyperparameters, and how it is exercised."""

    id: str
    name: str
    hyper: dict[str, Any] = field(default_factory=dict)
    second_group: dict[str, Any] | None = None  # overrides for a second parameter group
    grads: str = "random"  # "random" | "large" (fixed 1e6) | "quadratic" (depends on params)
    frozen: bool = False  # add a parameter that never gets a gradient
    schedule: str | None = None  # a key of SCHEDULE_PAIRS


CASES = [
    # SGD family
    OptimCase("sgd", "sgd", {"lr": 0.1}),
    OptimCase("sgd-wd", "sgd", {"lr": 0.1, "weight_decay": 0.1}, grads="quadratic"),
    OptimCase("sgd-maximize", "sgd", {"lr": 0.05, "maximize": True}),
    OptimCase("sgd-momentum", "sgd", {"lr": 0.05, "momentum": 0.9}),
    OptimCase("sgd-dampening", "sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    OptimCase(
        "sgd-nesterov-wd",
        "sgd",
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    ),
    OptimCase("momentum-quadratic", "momentum", {"lr": 0.02}, grads="quadratic"),
    OptimCase(
        "nesterov-groups", "nesterov", {"lr": 0.02}, second_group={"lr": 0.1, "momentum": 0.5}
    ),
    OptimCase("sgd-momentum-frozen", "sgd", {"lr": 0.05, "momentum": 0.8}, frozen=True),
    OptimCase("sgd-momentum-large", "sgd", {"lr": 1e-7, "momentum": 0.9}, grads="large"),
    OptimCase(
        "sgd-maximize-momentum-wd",
        "sgd",
        {"lr": 0.01, "momentum": 0.7, "weight_decay": 0.2, "maximize": True},
        schedule="step",
    ),
    # Adagrad
    OptimCase("adagrad", "adagrad", {"lr": 0.1}),
    OptimCase(
        "adagrad-decay-wd-init",
        "adagrad",
        {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.1},
        grads="quadratic",
    ),
    OptimCase(
        "adagrad-maximize-frozen",
        "adagrad",
        {"lr": 0.1, "eps": 1e-3, "maximize": True},
        frozen=True,
    ),
    OptimCase("adagrad-large", "adagrad", {"lr": 0.5}, grads="large"),
    OptimCase("adagrad-groups", "adagrad", {"lr": 0.1}, second_group={"lr": 0.3, "lr_decay": 0.1}),
    # RMSprop
    OptimCase("rmsprop", "rmsprop", {"lr": 0.01}),
    OptimCase("rmsprop-centered", "rmsprop", {"lr": 0.01, "centered": True}),
    OptimCase("rmsprop-momentum", "rmsprop", {"lr": 0.01, "momentum": 0.9}, grads="quadratic"),
    OptimCase(
        "rmsprop-centered-momentum-wd-maximize",
        "rmsprop",
        {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1, "maximize": True},
    ),
    OptimCase("rmsprop-alpha-large", "rmsprop", {"lr": 0.01, "alpha": 0.5}, grads="large"),
    OptimCase(
        "rmsprop-groups-frozen",
        "rmsprop",
        {"lr": 0.01},
        second_group={"alpha": 0.9, "centered": True, "momentum": 0.3},
        frozen=True,
    ),
    # Adadelta
    OptimCase("adadelta", "adadelta", {}),
    OptimCase("adadelta-rho-eps-wd", "adadelta", {"rho": 0.5, "eps": 1e-3, "weight_decay": 0.1}),
    OptimCase(
        "adadelta-maximize-quadratic-frozen",
        "adadelta",
        {"lr": 0.5, "maximize": True},
        grads="quadratic",
        frozen=True,
    ),
    OptimCase(
        "adadelta-large-groups",
        "adadelta",
        {},
        second_group={"lr": 0.1, "rho": 0.99},
        grads="large",
    ),
    # Adam, AMSGrad
    OptimCase("adam", "adam", {"lr": 0.01}),
    OptimCase("adam-betas-0.5-0.99", "adam", {"lr": 0.01, "betas": (0.5, 0.99)}),
    OptimCase("adam-l2", "adam", {"lr": 0.01, "weight_decay": 0.1}, grads="quadratic"),
    OptimCase("adam-amsgrad", "adam", {"lr": 0.01, "amsgrad": True}),
    OptimCase(
        "amsgrad-wd-maximize", "amsgrad", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}
    ),
    OptimCase(
        "adam-decoupled", "adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}
    ),
    OptimCase("adam-large", "adam", {"lr": 0.01}, grads="large"),
    OptimCase(
        "adam-groups-frozen",
        "adam",
        {"lr": 0.01, "weight_decay": 0.01},
        second_group={"lr": 0.05, "betas": (0.8, 0.9), "weight_decay": 0.0},
        frozen=True,
    ),
    OptimCase("adam-cosine", "adam", {"lr": 0.05}, grads="quadratic", schedule="cosine"),
    # AdamW
    OptimCase("adamw", "adamw", {"lr": 0.01}),
    OptimCase("adamw-amsgrad-wd", "adamw", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    OptimCase("adamw-maximize-large", "adamw", {"lr": 0.01, "maximize": True}, grads="large"),
    OptimCase(
        "adamw-groups-step",
        "adamw",
        {"lr": 0.02},
        second_group={"weight_decay": 0.5},
        schedule="step",
    ),
    # NAdam
    OptimCase("nadam", "nadam", {"lr": 0.01}),
    OptimCase(
        "nadam-wd-momentum-decay",
        "nadam",
        {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01},
    ),
    OptimCase(
        "nadam-decoupled-quadratic",
        "nadam",
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
        grads="quadratic",
    ),
    OptimCase(
        "nadam-maximize-large-frozen",
        "nadam",
        {"lr": 0.01, "maximize": True},
        grads="large",
        frozen=True,
    ),
    OptimCase(
        "nadam-groups",
        "nadam",
        {"lr": 0.01},
        second_group={"betas": (0.5, 0.9), "momentum_decay": 0.0},
    ),
    # RAdam
    OptimCase("radam", "radam", {"lr": 0.01}),
    OptimCase("radam-wd", "radam", {"lr": 0.01, "weight_decay": 0.1}),
    OptimCase(
        "radam-decoupled-groups",
        "radam",
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
        second_group={"betas": (0.9, 0.9)},
    ),
    OptimCase("radam-beta2-0.9-large", "radam", {"lr": 0.01, "betas": (0.9, 0.9)}, grads="large"),
    OptimCase(
        "radam-one-cycle-maximize",
        "radam",
        {"lr": 0.01, "maximize": True},
        grads="quadratic",
        schedule="one_cycle",
    ),
]


def _initial_params(case: OptimCase, rng: np.random.Generator) -> list[dict[str, np.ndarray]]:
    groups = []
    for g in range(2 if case.second_group is not None else 1):
        params = {name: rng.standard_normal(shape) for name, shape in SHAPES.items()}
        if case.frozen and g == 0:
            params["frozen"] = rng.standard_normal((2,))
        groups.append(params)
    return groups


def _gradient(case: OptimCase, name: str, param: np.ndarray, rng: np.random.Generator) -> Any:
    if name == "frozen":
        return None
    if case.grads == "large":
        signs = np.where(np.arange(param.size) % 2 == 0, 1.0, -1.0).reshape(param.shape)
        return 1e6 * signs
    if case.grads == "quadratic":  # f = Σ c (θ − 1)² / 2 with c = 1, 2, 3, …
        curvature = np.arange(1, param.size + 1, dtype=np.float64).reshape(param.shape)
        return curvature * (param - 1.0)
    return rng.standard_normal(param.shape)


def _assert_close(actual: Any, expected: np.ndarray, where: str) -> None:
    """``assert_allclose(rtol=RTOL, atol=0)``, with its (slow) report only on failure."""
    actual = np.asarray(actual, dtype=np.float64)
    if actual.shape != expected.shape or not np.all(
        np.abs(actual - expected) <= RTOL * np.abs(expected)
    ):
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=0, err_msg=where)


def _buffers(state: Any) -> dict[str, list[Any]]:
    """Every named buffer in a chain's state: ``{"exp_avg": [tree, …], "step": [...], …}``."""
    found: dict[str, list[Any]] = {}
    for record in state:
        for name in record._fields:
            value = getattr(record, name)
            if value is not None:
                found.setdefault(name, []).append(value)
    return found


def _hyper(case: OptimCase, group: int) -> dict[str, Any]:
    hyper = dict(case.hyper)
    if group == 1:
        hyper.update(case.second_group or {})
    return hyper


def _default_lr(case: OptimCase, group: int) -> float:
    from descentlab.optim import hyperparameters

    return float(_hyper(case, group).get("lr", hyperparameters(case.name)["lr"]))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
@pytest.mark.usefixtures("float64_default")
def test_matches_torch_step_by_step(case: OptimCase) -> None:
    groups = _initial_params(case, np.random.default_rng(0))
    lrs = [_default_lr(case, g) for g in range(len(groups))]

    ours = []
    for g, params in enumerate(groups):
        hyper = _hyper(case, g)
        if case.schedule is not None:
            hyper["lr"] = SCHEDULE_PAIRS[case.schedule][0](lrs[g])
        optimizer = make_optimizer(case.name, **hyper)
        ours.append([optimizer, params, optimizer.init(params)])

    tensors = [
        {k: torch.tensor(v, requires_grad=k != "frozen") for k, v in params.items()}
        for params in groups
    ]
    torch_groups = [{"params": list(t.values())} for t in tensors]
    if case.second_group is not None:
        torch_groups[1].update(case.second_group)
    reference = make_torch_optimizer(
        case.name, torch_groups, torch_options={"foreach": False}, **case.hyper
    )
    scheduler = None
    if case.schedule is not None:
        scheduler = SCHEDULE_PAIRS[case.schedule][1](reference, lrs)

    rng_ours, rng_torch = np.random.default_rng(1), np.random.default_rng(1)
    for step in range(STEPS):
        for entry in ours:
            optimizer, params, state = entry
            grads = {k: _gradient(case, k, v, rng_ours) for k, v in params.items()}
            updates, entry[2] = optimizer.update(grads, state, params)
            entry[1] = apply_updates(params, updates)
        for t in tensors:
            for k, tensor in t.items():
                g = _gradient(case, k, tensor.detach().numpy(), rng_torch)
                tensor.grad = None if g is None else torch.tensor(g)
        reference.step()
        if scheduler is not None:
            scheduler.step()

        for (_, params, state), t in zip(ours, tensors, strict=True):
            buffers = _buffers(state)
            for index, (k, tensor) in enumerate(t.items()):
                where = f"step {step + 1}, parameter {k!r}"
                _assert_close(params[k], tensor.detach().numpy(), where)
                torch_state = reference.state.get(tensor, {})
                if k == "frozen":
                    assert torch_state == {} or float(torch_state["step"]) == 0, where
                for name, expected in torch_state.items():
                    assert name in buffers, f"{where}: no buffer {name!r} in {sorted(buffers)}"
                    for tree in buffers[name]:
                        actual = list(tree.values())[index]
                        _assert_close(actual, expected.detach().numpy(), f"{where}, {name!r}")


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert any(c.second_group for c in CASES) and any(c.frozen for c in CASES)
    assert any(c.grads == "large" for c in CASES)
    assert any(c.hyper.get("maximize") for c in CASES)
    assert any(c.hyper.get("weight_decay") for c in CASES)
    assert {c.name for c in CASES} >= {
        "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
        "adam", "amsgrad", "adamw", "nadam", "radam",
    }  # fmt: skip
