"""Every schedule configuration against torch.optim.lr_scheduler, step by step.

One table drives one test: a torch SGD optimizer with two parameter groups (two base rates) is
stepped with the torch scheduler, and after ``t`` calls to ``scheduler.step()`` each group's
``lr`` must equal the NumPy schedule at step ``t`` (rtol 1e-10), for at least 50 steps and past
every horizon (T_max, total_iters, the last milestone, a whole OneCycle).

ReduceLROnPlateau is compared metric by metric, including its whole state, on histories with
negative values, NaN and infinities.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler as tl

from descentlab.optim import schedules as dl

LRS = (0.1, 0.03)
RTOL = 1e-10


@dataclass(frozen=True)
class ScheduleCase:
    id: str
    ours: Callable[[float], Any]  # NumPy schedule from a group's base rate
    theirs: Callable[[torch.optim.Optimizer], Any]  # torch scheduler over both groups
    steps: int = 60


def _sequential(opt: torch.optim.Optimizer, makers: list[Callable], milestones: list[int]) -> Any:
    return tl.SequentialLR(opt, [make(opt) for make in makers], milestones)


CASES = [
    ScheduleCase("step-7", lambda lr: dl.StepLR(lr, 7, 0.5), lambda o: tl.StepLR(o, 7, 0.5)),
    ScheduleCase("step-1", lambda lr: dl.StepLR(lr, 1, 0.9), lambda o: tl.StepLR(o, 1, 0.9)),
    ScheduleCase("step-growth", lambda lr: dl.StepLR(lr, 10, 2.0), lambda o: tl.StepLR(o, 10, 2.0)),
    ScheduleCase(
        "multistep",
        lambda lr: dl.MultiStepLR(lr, [5, 20, 35], 0.3),
        lambda o: tl.MultiStepLR(o, [5, 20, 35], 0.3),
    ),
    ScheduleCase(
        "multistep-at-0-and-end",
        lambda lr: dl.MultiStepLR(lr, [0, 1, 49], 0.5),
        lambda o: tl.MultiStepLR(o, [0, 1, 49], 0.5),
    ),
    ScheduleCase(
        "exponential", lambda lr: dl.ExponentialLR(lr, 0.9), lambda o: tl.ExponentialLR(o, 0.9)
    ),
    ScheduleCase(
        "exponential-growth",
        lambda lr: dl.ExponentialLR(lr, 1.05),
        lambda o: tl.ExponentialLR(o, 1.05),
    ),
    ScheduleCase(
        "cosine-past-T_max",
        lambda lr: dl.CosineAnnealingLR(lr, 10),
        lambda o: tl.CosineAnnealingLR(o, 10),
        steps=65,
    ),
    ScheduleCase(
        "cosine-eta_min",
        lambda lr: dl.CosineAnnealingLR(lr, 10, eta_min=0.01),
        lambda o: tl.CosineAnnealingLR(o, 10, eta_min=0.01),
        steps=65,
    ),
    ScheduleCase(
        "cosine-T_max-1",
        lambda lr: dl.CosineAnnealingLR(lr, 1),
        lambda o: tl.CosineAnnealingLR(o, 1),
    ),
    ScheduleCase(
        "cosine-long",
        lambda lr: dl.CosineAnnealingLR(lr, 50, eta_min=0.005),
        lambda o: tl.CosineAnnealingLR(o, 50, eta_min=0.005),
        steps=160,
    ),
    ScheduleCase(
        "cosine-eta_min-above-lr",
        lambda lr: dl.CosineAnnealingLR(lr, 7, eta_min=0.2),
        lambda o: tl.CosineAnnealingLR(o, 7, eta_min=0.2),
    ),
    ScheduleCase(
        "warm-restarts",
        lambda lr: dl.CosineAnnealingWarmRestarts(lr, 10),
        lambda o: tl.CosineAnnealingWarmRestarts(o, 10),
    ),
    ScheduleCase(
        "warm-restarts-mult-2",
        lambda lr: dl.CosineAnnealingWarmRestarts(lr, 3, 2, eta_min=1e-3),
        lambda o: tl.CosineAnnealingWarmRestarts(o, 3, 2, eta_min=1e-3),
        steps=100,
    ),
    ScheduleCase(
        "warm-restarts-T_0-1-mult-3",
        lambda lr: dl.CosineAnnealingWarmRestarts(lr, 1, 3),
        lambda o: tl.CosineAnnealingWarmRestarts(o, 1, 3),
    ),
    ScheduleCase(
        "linear-warmup",
        lambda lr: dl.LinearLR(lr, 0.1, total_iters=10),
        lambda o: tl.LinearLR(o, 0.1, total_iters=10),
    ),
    ScheduleCase(
        "linear-decay-to-0",
        lambda lr: dl.LinearLR(lr, 1.0, 0.0, total_iters=20),
        lambda o: tl.LinearLR(o, 1.0, 0.0, total_iters=20),
    ),
    ScheduleCase("linear-defaults", lambda lr: dl.LinearLR(lr), lambda o: tl.LinearLR(o)),
    ScheduleCase(
        "one-cycle-cos",
        lambda lr: dl.OneCycleLR(lr, 60),
        lambda o: tl.OneCycleLR(o, list(LRS), 60),
    ),
    ScheduleCase(
        "one-cycle-linear",
        lambda lr: dl.OneCycleLR(lr, 60, anneal_strategy="linear"),
        lambda o: tl.OneCycleLR(o, list(LRS), 60, anneal_strategy="linear"),
    ),
    ScheduleCase(
        "one-cycle-three-phase",
        lambda lr: dl.OneCycleLR(lr, 60, three_phase=True),
        lambda o: tl.OneCycleLR(o, list(LRS), 60, three_phase=True),
    ),
    ScheduleCase(
        "one-cycle-three-phase-linear",
        lambda lr: dl.OneCycleLR(
            lr, 80, 0.25, "linear", 10.0, 100.0, True, base_momentum=0.8, max_momentum=0.9
        ),
        lambda o: tl.OneCycleLR(
            o,
            list(LRS),
            80,
            pct_start=0.25,
            anneal_strategy="linear",
            div_factor=10.0,
            final_div_factor=100.0,
            three_phase=True,
            base_momentum=0.8,
            max_momentum=0.9,
        ),
        steps=80,
    ),
    ScheduleCase(
        "sequential-warmup-cosine",
        lambda lr: dl.SequentialLR(
            [dl.LinearLR(lr, 0.1, total_iters=5), dl.CosineAnnealingLR(lr, 20)], [5]
        ),
        lambda o: _sequential(
            o,
            [lambda o: tl.LinearLR(o, 0.1, total_iters=5), lambda o: tl.CosineAnnealingLR(o, 20)],
            [5],
        ),
    ),
    ScheduleCase(
        "sequential-three",
        lambda lr: dl.SequentialLR(
            [dl.ExponentialLR(lr, 0.9), dl.LinearLR(lr, 0.5, total_iters=5), dl.StepLR(lr, 3, 0.5)],
            [10, 20],
        ),
        lambda o: _sequential(
            o,
            [
                lambda o: tl.ExponentialLR(o, 0.9),
                lambda o: tl.LinearLR(o, 0.5, total_iters=5),
                lambda o: tl.StepLR(o, 3, 0.5),
            ],
            [10, 20],
        ),
    ),
    ScheduleCase(
        "sequential-step-restarts",
        lambda lr: dl.SequentialLR(
            [dl.StepLR(lr, 4, 0.5), dl.CosineAnnealingWarmRestarts(lr, 4)], [7]
        ),
        lambda o: _sequential(
            o, [lambda o: tl.StepLR(o, 4, 0.5), lambda o: tl.CosineAnnealingWarmRestarts(o, 4)], [7]
        ),
    ),
    ScheduleCase(
        "sequential-cosine-cosine",
        lambda lr: dl.SequentialLR(
            [dl.CosineAnnealingLR(lr, 10), dl.CosineAnnealingLR(lr, 5, 0.01)], [10]
        ),
        lambda o: _sequential(
            o,
            [lambda o: tl.CosineAnnealingLR(o, 10), lambda o: tl.CosineAnnealingLR(o, 5, 0.01)],
            [10],
        ),
    ),
    ScheduleCase(
        "sequential-linear-exponential",
        lambda lr: dl.SequentialLR(
            [dl.LinearLR(lr, 0.5, total_iters=3), dl.ExponentialLR(lr, 0.95)], [3]
        ),
        lambda o: _sequential(
            o,
            [lambda o: tl.LinearLR(o, 0.5, total_iters=3), lambda o: tl.ExponentialLR(o, 0.95)],
            [3],
        ),
    ),
]


def _torch_optimizer() -> torch.optim.Optimizer:
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in LRS]
    return torch.optim.SGD(groups, lr=LRS[0], momentum=0.9)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_schedule_matches_torch(case: ScheduleCase) -> None:
    optimizer = _torch_optimizer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "scheduler before optimizer" or deprecation warnings
        scheduler = case.theirs(optimizer)
        ours = [case.ours(lr) for lr in LRS]
        for t in range(case.steps + 1):
            if t > 0:
                optimizer.step()
                scheduler.step()
            for group, schedule in zip(optimizer.param_groups, ours, strict=True):
                expected = group["lr"]
                assert math.isclose(schedule(t), expected, rel_tol=RTOL), (t, schedule(t), expected)
                if isinstance(schedule, dl.OneCycleLR):
                    assert math.isclose(schedule.momentum(t), group["momentum"], rel_tol=RTOL)


def test_one_cycle_past_total_steps_raises_like_torch() -> None:
    optimizer = _torch_optimizer()
    scheduler = tl.OneCycleLR(optimizer, list(LRS), 10)
    ours = dl.OneCycleLR(LRS[0], 10)
    for _ in range(10):
        optimizer.step()
        scheduler.step()
    ours(10)  # step == total_steps is still defined in both
    optimizer.step()
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        scheduler.step()
    with pytest.raises(ValueError, match=r"step must be an integer <= total_steps \(10\), got 11"):
        ours(11)


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 25
    assert all(c.steps >= 50 for c in CASES)


# ----------------------------------------------------------------------------------------------
# ReduceLROnPlateau: a state machine over the metric history

NAN, INF = float("nan"), float("inf")
RNG = np.random.default_rng(5)
NOISY_PLATEAU = list(5.0 / (1 + np.arange(60)) + 0.3 * RNG.random(60))

PLATEAU_CASES = {
    "min-rel-noisy": ({"patience": 2}, NOISY_PLATEAU),
    "min-rel-negative": (
        {"patience": 1, "threshold": 0.1},
        [-10.0, -9.5, -9.2, -9.0, -8.5, -8.6, -8.7, -8.0, -7.9, -7.5] * 6,
    ),
    "min-abs-negative": (
        {"patience": 1, "threshold": 0.1, "threshold_mode": "abs"},
        [-10.0, -9.5, -9.2, -9.0, -8.5, -8.6, -8.7, -8.0, -7.9, -7.5] * 6,
    ),
    "max-rel-negative": (
        {"mode": "max", "patience": 2, "threshold": 0.05},
        list(-5.0 + np.sin(np.arange(60) / 3.0)),
    ),
    "max-abs": (
        {"mode": "max", "patience": 0, "threshold": 0.2, "threshold_mode": "abs"},
        NOISY_PLATEAU,
    ),
    "nan-interspersed": ({"patience": 2}, [1.0, NAN, 0.5, NAN, NAN, NAN, 0.4, NAN, 0.4] * 7),
    "nan-first": ({"patience": 1, "mode": "max"}, [NAN, NAN, NAN, 1.0, 2.0, NAN] * 10),
    "infinities": ({"patience": 1}, [INF, 3.0, -INF, 2.0, INF, -INF, 1.0] * 9),
    "cooldown-min_lr": ({"patience": 1, "cooldown": 2, "min_lr": 0.01}, [1.0] * 60),
    "eps-blocks-small-steps": ({"patience": 0, "factor": 0.5, "eps": 0.02}, [1.0] * 60),
    "factor-0": ({"patience": 3, "factor": 0.0, "min_lr": 1e-3}, [1.0] * 60),
    "max-rel-growing": ({"mode": "max", "patience": 3}, list(np.log1p(np.arange(60)))),
}


@pytest.mark.parametrize("hyper, metrics", PLATEAU_CASES.values(), ids=PLATEAU_CASES.keys())
def test_plateau_matches_torch(hyper: dict[str, Any], metrics: list[float]) -> None:
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=0.1)
    theirs = tl.ReduceLROnPlateau(optimizer, **hyper)
    schedule = dl.ReduceLROnPlateau(0.1, **hyper)
    state = schedule.init()
    assert len(metrics) >= 50
    for metric in metrics:
        optimizer.step()
        theirs.step(metric)
        lr, state = schedule.update(state, metric)
        assert math.isclose(lr, optimizer.param_groups[0]["lr"], rel_tol=RTOL)
        assert lr == state.lr
        assert (state.best == theirs.best) or (math.isnan(state.best) and math.isnan(theirs.best))
        assert state.num_bad_epochs == theirs.num_bad_epochs
        assert state.cooldown_counter == theirs.cooldown_counter
        assert state.last_epoch == theirs.last_epoch


def test_plateau_negative_metric_quirk_is_documented_behaviour() -> None:
    """With a negative best in min/rel mode a slightly *worse* metric counts as better."""
    schedule = dl.ReduceLROnPlateau(1.0, threshold=0.1, patience=0)
    _, state = schedule.update(schedule.init(), -10.0)
    _, state = schedule.update(state, -9.5)  # worse than -10, but < -10 · 0.9 = -9
    assert state.best == -9.5 and state.num_bad_epochs == 0


def test_plateau_nan_is_a_bad_epoch_and_never_the_best() -> None:
    schedule = dl.ReduceLROnPlateau(1.0, patience=1)
    state = schedule.init()
    lrs = []
    for metric in [2.0, NAN, NAN, NAN]:
        lr, state = schedule.update(state, metric)
        lrs.append(lr)
    assert state.best == 2.0
    assert lrs == [1.0, 1.0, 0.1, 0.1]


# ----------------------------------------------------------------------------------------------
# Properties: every schedule stays positive and within its bounds

rates = st.floats(1e-6, 10.0)
steps = st.integers(0, 500)
TOL = 1 + 1e-12


@settings(max_examples=40, deadline=None)
@given(lr=rates, gamma=st.floats(0.5, 1.0), size=st.integers(1, 50), t=steps)
def test_decays_are_positive_and_at_most_lr(lr: float, gamma: float, size: int, t: int) -> None:
    for schedule in (
        dl.StepLR(lr, size, gamma),
        dl.ExponentialLR(lr, gamma),
        dl.MultiStepLR(lr, [size, 2 * size, 3 * size], gamma),
    ):
        assert 0 < schedule(t) <= lr * TOL


@settings(max_examples=40, deadline=None)
@given(
    lr=rates, frac=st.floats(0.0, 1.0), period=st.integers(1, 60), mult=st.integers(1, 3), t=steps
)
def test_cosines_stay_between_eta_min_and_lr(
    lr: float, frac: float, period: int, mult: int, t: int
) -> None:
    eta_min = frac * lr
    for schedule in (
        dl.CosineAnnealingLR(lr, period, eta_min),
        dl.CosineAnnealingWarmRestarts(lr, period, mult, eta_min),
    ):
        assert eta_min / TOL <= schedule(t) <= lr * TOL
        if eta_min > 0:
            assert schedule(t) > 0


@settings(max_examples=40, deadline=None)
@given(
    lr=rates, start=st.floats(1e-3, 1.0), end=st.floats(0.0, 1.0), total=st.integers(1, 50), t=steps
)
def test_linear_stays_between_its_factors(
    lr: float, start: float, end: float, total: int, t: int
) -> None:
    value = dl.LinearLR(lr, start, end, total)(t)
    assert lr * min(start, end) / TOL <= value <= lr * max(start, end) * TOL


@settings(max_examples=40, deadline=None)
@given(
    max_lr=rates,
    total=st.integers(30, 300),  # with pct_start >= 0.1 every phase is non-empty
    pct=st.floats(0.1, 0.45),
    strategy=st.sampled_from(["cos", "linear"]),
    three=st.booleans(),
    data=st.data(),
)
def test_one_cycle_stays_between_min_and_max(
    max_lr: float, total: int, pct: float, strategy: str, three: bool, data: st.DataObject
) -> None:
    schedule = dl.OneCycleLR(max_lr, total, pct, strategy, three_phase=three)
    t = data.draw(st.integers(0, total - 1))
    assert 0 < schedule.min_lr / TOL <= schedule(t) <= max_lr * TOL
    assert 0.85 / TOL <= schedule.momentum(t) <= 0.95 * TOL


@settings(max_examples=40, deadline=None)
@given(
    metrics=st.lists(
        st.one_of(st.floats(-1e3, 1e3), st.just(float("nan"))), min_size=1, max_size=60
    ),
    mode=st.sampled_from(["min", "max"]),
    threshold_mode=st.sampled_from(["rel", "abs"]),
    patience=st.integers(0, 3),
    min_lr=st.floats(0.0, 0.05),
)
def test_plateau_never_raises_the_rate_nor_goes_below_min_lr(
    metrics: list[float], mode: str, threshold_mode: str, patience: int, min_lr: float
) -> None:
    schedule = dl.ReduceLROnPlateau(
        0.1, mode=mode, threshold_mode=threshold_mode, patience=patience, min_lr=min_lr
    )
    state, previous = schedule.init(), 0.1
    for metric in metrics:
        lr, state = schedule.update(state, metric)
        assert min(0.1, min_lr) <= lr <= previous
        previous = lr
