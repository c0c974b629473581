"""One table of bad hyperparameters: each raises ValueError/TypeError whose message names the
argument, the rule and the value received (``<argument> must be <rule>, got <value>``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from descentlab.optim import make_optimizer
from descentlab.optim import schedules as dl
from descentlab.validation import InputError

NAN, INF = float("nan"), float("inf")
LR_RULE = r"a finite number >= 0 or a schedule \(a callable of the step\)"


class BadCase(NamedTuple):
    id: str
    build: Callable[..., Any]
    kwargs: dict[str, Any]
    error: type[Exception]
    message: str  # a regex matched against the whole message


def opt(name: str) -> Callable[..., Any]:
    return lambda **kw: make_optimizer(name, **kw)


CASES = [
    # learning rates
    BadCase(
        "lr-negative", opt("sgd"), {"lr": -0.1}, ValueError, rf"lr must be {LR_RULE}, got -0\.1"
    ),
    BadCase("lr-nan", opt("adam"), {"lr": NAN}, ValueError, rf"lr must be {LR_RULE}, got nan"),
    BadCase("lr-inf", opt("rmsprop"), {"lr": INF}, ValueError, rf"lr must be {LR_RULE}, got inf"),
    BadCase(
        "lr-str", opt("adagrad"), {"lr": "0.1"}, TypeError, rf"lr must be {LR_RULE}, got '0\.1'"
    ),
    BadCase(
        "lr-bool",
        opt("nadam"),
        {"lr": True},
        TypeError,
        rf"lr must be {LR_RULE}, got True \(bool\)",
    ),
    BadCase(
        "lr-none",
        opt("radam"),
        {"lr": None},
        TypeError,
        rf"lr must be {LR_RULE}, got None \(NoneType\)",
    ),
    # betas
    BadCase(
        "beta1-one",
        opt("adam"),
        {"betas": (1.0, 0.999)},
        ValueError,
        r"betas\[0\] must be a number in \[0, 1\), got 1\.0",
    ),
    BadCase(
        "beta2-negative",
        opt("adamw"),
        {"betas": (0.9, -0.1)},
        ValueError,
        r"betas\[1\] must be a number in \[0, 1\), got -0\.1",
    ),
    BadCase(
        "beta2-above-one",
        opt("nadam"),
        {"betas": (0.9, 1.5)},
        ValueError,
        r"betas\[1\] must be a number in \[0, 1\), got 1\.5",
    ),
    BadCase(
        "beta1-nan",
        opt("radam"),
        {"betas": (NAN, 0.9)},
        ValueError,
        r"betas\[0\] must be a number in \[0, 1\), got nan",
    ),
    BadCase(
        "betas-not-a-pair",
        opt("amsgrad"),
        {"betas": 0.9},
        TypeError,
        r"betas must be a pair \(beta1, beta2\), got 0\.9",
    ),
    BadCase(
        "betas-three",
        opt("adam"),
        {"betas": (0.9, 0.99, 0.5)},
        TypeError,
        r"betas must be a pair \(beta1, beta2\), got \(0\.9, 0\.99, 0\.5\) \(tuple\)",
    ),
    # eps, momentum, dampening, Nesterov
    BadCase(
        "eps-negative",
        opt("adam"),
        {"eps": -1e-8},
        ValueError,
        r"eps must be a finite number >= 0, got -1e-08",
    ),
    BadCase(
        "eps-negative-adagrad",
        opt("adagrad"),
        {"eps": -1.0},
        ValueError,
        r"eps must be a finite number >= 0, got -1\.0",
    ),
    BadCase(
        "momentum-negative",
        opt("sgd"),
        {"momentum": -0.9},
        ValueError,
        r"momentum must be a finite number >= 0, got -0\.9",
    ),
    BadCase(
        "momentum-negative-rmsprop",
        opt("rmsprop"),
        {"momentum": -0.1},
        ValueError,
        r"momentum must be a finite number >= 0, got -0\.1",
    ),
    BadCase(
        "momentum-str",
        opt("momentum"),
        {"momentum": "high"},
        TypeError,
        r"momentum must be a finite number >= 0, got 'high'",
    ),
    BadCase(
        "nesterov-without-momentum",
        opt("sgd"),
        {"nesterov": True},
        ValueError,
        r"nesterov must be False unless momentum > 0 and dampening == 0, "
        r"got nesterov=True with momentum=0\.0 and dampening=0\.0",
    ),
    BadCase(
        "nesterov-with-dampening",
        opt("sgd"),
        {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
        ValueError,
        r"nesterov must be False unless momentum > 0 and dampening == 0, "
        r"got nesterov=True with momentum=0\.9 and dampening=0\.1",
    ),
    BadCase(
        "nesterov-zero-momentum",
        opt("nesterov"),
        {"momentum": 0.0},
        ValueError,
        r"nesterov must be False unless momentum > 0.*got nesterov=True with momentum=0\.0.*",
    ),
    BadCase(
        "dampening-above-one",
        opt("momentum"),
        {"dampening": 1.5},
        ValueError,
        r"dampening must be a number in \[0, 1\], got 1\.5",
    ),
    # rho, alpha, weight decay, other ranges
    BadCase(
        "rho-above-one",
        opt("adadelta"),
        {"rho": 1.1},
        ValueError,
        r"rho must be a number in \[0, 1\], got 1\.1",
    ),
    BadCase(
        "rho-negative",
        opt("adadelta"),
        {"rho": -0.1},
        ValueError,
        r"rho must be a number in \[0, 1\], got -0\.1",
    ),
    BadCase(
        "alpha-negative",
        opt("rmsprop"),
        {"alpha": -0.5},
        ValueError,
        r"alpha must be a number in \[0, 1\], got -0\.5",
    ),
    BadCase(
        "weight-decay-negative",
        opt("adamw"),
        {"weight_decay": -0.01},
        ValueError,
        r"weight_decay must be a finite number >= 0, got -0\.01",
    ),
    BadCase(
        "weight-decay-inf-sgd",
        opt("sgd"),
        {"weight_decay": INF},
        ValueError,
        r"weight_decay must be a finite number >= 0, got inf",
    ),
    BadCase(
        "lr-decay-negative",
        opt("adagrad"),
        {"lr_decay": -0.1},
        ValueError,
        r"lr_decay must be a finite number >= 0, got -0\.1",
    ),
    BadCase(
        "initial-accumulator-negative",
        opt("adagrad"),
        {"initial_accumulator_value": -1},
        ValueError,
        r"initial_accumulator_value must be a finite number >= 0, got -1\.0",
    ),
    BadCase(
        "momentum-decay-negative",
        opt("nadam"),
        {"momentum_decay": -4e-3},
        ValueError,
        r"momentum_decay must be a finite number >= 0, got -0\.004",
    ),
    BadCase(
        "amsgrad-int",
        opt("adam"),
        {"amsgrad": 1},
        TypeError,
        r"amsgrad must be True or False, got 1",
    ),
    BadCase(
        "maximize-str",
        opt("sgd"),
        {"maximize": "yes"},
        TypeError,
        r"maximize must be True or False, got 'yes'",
    ),
    BadCase(
        "unknown-hyperparameter",
        opt("adam"),
        {"momentum": 0.9},
        TypeError,
        r"momentum must be a hyperparameter of 'adam' \(lr, betas, .*\), got momentum=0\.9",
    ),
    BadCase(
        "unknown-optimizer",
        lambda **kw: make_optimizer("lion", **kw),
        {},
        ValueError,
        r"name must be one of 'sgd', .*'radam', got 'lion'",
    ),
    # schedules
    BadCase(
        "plateau-factor-one",
        dl.ReduceLROnPlateau,
        {"lr": 0.1, "factor": 1.0},
        ValueError,
        r"factor must be a number in \[0, 1\), got 1\.0",
    ),
    BadCase(
        "plateau-factor-two",
        dl.ReduceLROnPlateau,
        {"lr": 0.1, "factor": 2},
        ValueError,
        r"factor must be a number in \[0, 1\), got 2\.0",
    ),
    BadCase(
        "plateau-mode-sideways",
        dl.ReduceLROnPlateau,
        {"lr": 0.1, "mode": "sideways"},
        ValueError,
        r"mode must be one of 'min', 'max', got 'sideways'",
    ),
    BadCase(
        "plateau-threshold-mode",
        dl.ReduceLROnPlateau,
        {"lr": 0.1, "threshold_mode": "relative"},
        ValueError,
        r"threshold_mode must be one of 'rel', 'abs', got 'relative'",
    ),
    BadCase(
        "plateau-patience-negative",
        dl.ReduceLROnPlateau,
        {"lr": 0.1, "patience": -1},
        ValueError,
        r"patience must be an integer >= 0, got -1",
    ),
    BadCase(
        "plateau-patience-float",
        dl.ReduceLROnPlateau,
        {"lr": 0.1, "patience": 2.5},
        TypeError,
        r"patience must be an integer >= 0, got 2\.5",
    ),
    BadCase(
        "plateau-cooldown-negative",
        dl.ReduceLROnPlateau,
        {"lr": 0.1, "cooldown": -2},
        ValueError,
        r"cooldown must be an integer >= 0, got -2",
    ),
    BadCase(
        "plateau-min-lr-negative",
        dl.ReduceLROnPlateau,
        {"lr": 0.1, "min_lr": -1e-3},
        ValueError,
        r"min_lr must be a finite number >= 0, got -0\.001",
    ),
    BadCase(
        "plateau-threshold-nan",
        dl.ReduceLROnPlateau,
        {"lr": 0.1, "threshold": NAN},
        ValueError,
        r"threshold must be a finite number >= 0, got nan",
    ),
    BadCase(
        "plateau-eps-negative",
        dl.ReduceLROnPlateau,
        {"lr": 0.1, "eps": -1.0},
        ValueError,
        r"eps must be a finite number >= 0, got -1\.0",
    ),
    BadCase(
        "cosine-T_max-zero",
        dl.CosineAnnealingLR,
        {"lr": 0.1, "T_max": 0},
        ValueError,
        r"T_max must be a positive integer, got 0",
    ),
    BadCase(
        "cosine-T_max-negative",
        dl.CosineAnnealingLR,
        {"lr": 0.1, "T_max": -5},
        ValueError,
        r"T_max must be a positive integer, got -5",
    ),
    BadCase(
        "cosine-T_max-float",
        dl.CosineAnnealingLR,
        {"lr": 0.1, "T_max": 10.0},
        TypeError,
        r"T_max must be a positive integer, got 10\.0",
    ),
    BadCase(
        "cosine-eta-min-negative",
        dl.CosineAnnealingLR,
        {"lr": 0.1, "T_max": 10, "eta_min": -0.1},
        ValueError,
        r"eta_min must be a finite number >= 0, got -0\.1",
    ),
    BadCase(
        "restarts-T_0-zero",
        dl.CosineAnnealingWarmRestarts,
        {"lr": 0.1, "T_0": 0},
        ValueError,
        r"T_0 must be a positive integer, got 0",
    ),
    BadCase(
        "restarts-T_mult-zero",
        dl.CosineAnnealingWarmRestarts,
        {"lr": 0.1, "T_0": 5, "T_mult": 0},
        ValueError,
        r"T_mult must be an integer >= 1, got 0",
    ),
    BadCase(
        "exponential-gamma-zero",
        dl.ExponentialLR,
        {"lr": 0.1, "gamma": 0.0},
        ValueError,
        r"gamma must be a finite positive number, got 0\.0",
    ),
    BadCase(
        "step-gamma-negative",
        dl.StepLR,
        {"lr": 0.1, "step_size": 5, "gamma": -0.5},
        ValueError,
        r"gamma must be a finite positive number, got -0\.5",
    ),
    BadCase(
        "step-size-zero",
        dl.StepLR,
        {"lr": 0.1, "step_size": 0},
        ValueError,
        r"step_size must be a positive integer, got 0",
    ),
    BadCase(
        "step-lr-negative",
        dl.StepLR,
        {"lr": -1.0, "step_size": 3},
        ValueError,
        r"lr must be a finite number >= 0, got -1\.0",
    ),
    BadCase(
        "milestones-not-increasing",
        dl.MultiStepLR,
        {"lr": 0.1, "milestones": [30, 10]},
        ValueError,
        r"milestones must be strictly increasing, got \[30, 10\]",
    ),
    BadCase(
        "milestones-repeated",
        dl.MultiStepLR,
        {"lr": 0.1, "milestones": [10, 10]},
        ValueError,
        r"milestones must be strictly increasing, got \[10, 10\]",
    ),
    BadCase(
        "milestones-negative",
        dl.MultiStepLR,
        {"lr": 0.1, "milestones": [-1, 5]},
        ValueError,
        r"milestones\[0\] must be an integer >= 0, got -1",
    ),
    BadCase(
        "one-cycle-total-steps-zero",
        dl.OneCycleLR,
        {"max_lr": 0.1, "total_steps": 0},
        ValueError,
        r"total_steps must be a positive integer, got 0",
    ),
    BadCase(
        "one-cycle-total-steps-negative",
        dl.OneCycleLR,
        {"max_lr": 0.1, "total_steps": -10},
        ValueError,
        r"total_steps must be a positive integer, got -10",
    ),
    BadCase(
        "one-cycle-pct-zero",
        dl.OneCycleLR,
        {"max_lr": 0.1, "total_steps": 100, "pct_start": 0.0},
        ValueError,
        r"pct_start must be a number in \(0, 1\), got 0\.0",
    ),
    BadCase(
        "one-cycle-pct-one",
        dl.OneCycleLR,
        {"max_lr": 0.1, "total_steps": 100, "pct_start": 1.0},
        ValueError,
        r"pct_start must be a number in \(0, 1\), got 1\.0",
    ),
    BadCase(
        "one-cycle-empty-phase",
        dl.OneCycleLR,
        {"max_lr": 0.1, "total_steps": 10, "pct_start": 0.1},
        ValueError,
        r"pct_start must leave every phase of the cycle longer than 0 steps .*, got 0\.1",
    ),
    BadCase(
        "one-cycle-anneal",
        dl.OneCycleLR,
        {"max_lr": 0.1, "total_steps": 100, "anneal_strategy": "cosine"},
        ValueError,
        r"anneal_strategy must be one of 'cos', 'linear', got 'cosine'",
    ),
    BadCase(
        "one-cycle-max-lr-zero",
        dl.OneCycleLR,
        {"max_lr": 0.0, "total_steps": 100},
        ValueError,
        r"max_lr must be a finite positive number, got 0\.0",
    ),
    BadCase(
        "linear-start-factor-zero",
        dl.LinearLR,
        {"lr": 0.1, "start_factor": 0.0},
        ValueError,
        r"start_factor must be a number in \(0, 1\], got 0\.0",
    ),
    BadCase(
        "linear-start-factor-above-one",
        dl.LinearLR,
        {"lr": 0.1, "start_factor": 1.5},
        ValueError,
        r"start_factor must be a number in \(0, 1\], got 1\.5",
    ),
    BadCase(
        "linear-end-factor-negative",
        dl.LinearLR,
        {"lr": 0.1, "end_factor": -0.1},
        ValueError,
        r"end_factor must be a number in \[0, 1\], got -0\.1",
    ),
    BadCase(
        "linear-total-iters-zero",
        dl.LinearLR,
        {"lr": 0.1, "total_iters": 0},
        ValueError,
        r"total_iters must be a positive integer, got 0",
    ),
    BadCase(
        "sequential-milestones-count",
        dl.SequentialLR,
        {"schedules": [dl.StepLR(0.1, 5), dl.ExponentialLR(0.1, 0.9)], "milestones": [5, 10]},
        ValueError,
        r"milestones must have one entry fewer than schedules \(1\), got \[5, 10\]",
    ),
    BadCase(
        "sequential-plateau",
        dl.SequentialLR,
        {"schedules": [dl.StepLR(0.1, 5), dl.ReduceLROnPlateau(0.1)], "milestones": [5]},
        TypeError,
        r"schedules\[1\] must be a step schedule \(a callable of the step\), "
        r"got ReduceLROnPlateau\(.*\)",
    ),
    BadCase(
        "sequential-milestone-zero",
        dl.SequentialLR,
        {"schedules": [dl.StepLR(0.1, 5), dl.StepLR(0.1, 3)], "milestones": [0]},
        ValueError,
        r"milestones\[0\] must be an integer >= 1, got 0",
    ),
    BadCase(
        "schedule-negative-step",
        lambda **kw: dl.StepLR(0.1, 5)(**kw),
        {"step": -1},
        ValueError,
        r"step must be an integer >= 0, got -1",
    ),
    BadCase(
        "plateau-metric-str",
        lambda **kw: dl.ReduceLROnPlateau(0.1).update(dl.ReduceLROnPlateau(0.1).init(), **kw),
        {"metric": "0.5"},
        TypeError,
        r"metric must be a real number \(NaN allowed\), got '0\.5'",
    ),
    BadCase(
        "unknown-schedule",
        lambda **kw: dl.make_schedule("warmup", **kw),
        {},
        ValueError,
        r"name must be one of 'step', .*, got 'warmup'",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_hyperparameter_is_refused_with_a_clear_message(case: BadCase) -> None:
    with pytest.raises(case.error) as caught:
        case.build(**case.kwargs)
    # exactly the kind asked for (a TypeError is not a ValueError), and marked as the caller's
    # mistake so that the CLI answers exit 2 (NOTE [input errors])
    assert issubclass(caught.type, case.error)
    assert not issubclass(caught.type, {ValueError: TypeError, TypeError: ValueError}[case.error])
    assert isinstance(caught.value, InputError)
    message = str(caught.value)
    assert re.fullmatch(case.message, message), message


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
