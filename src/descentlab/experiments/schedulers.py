"""SPEC §2.7: learning-rate schedules driving one optimizer on one problem.

Each schedule drives the same optimizer (plain SGD by default) from the same initial weight over
the same batches (NOTE [fair comparison] in :mod:`.linear_problem`). Step schedules advance once
per update (``t`` counts updates, as ``scheduler.step()`` after every ``optimizer.step()``);
ReduceLROnPlateau is fed one metric per epoch: the full-data training MSE after that epoch.
``lrates`` in the results is the rate each update actually used. OneCycleLR sets the rate only
(torch's ``cycle_momentum=False``): the optimizer's momentum stays as configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from descentlab.data import Dataset
from descentlab.experiments.base import Experiment, Outcome
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.linear_problem import (
    LinearProblemConfig,
    descend,
    descent_trial,
    linear_problem,
    problem_data,
)
from descentlab.experiments.optimizers import optimizer_spec
from descentlab.experiments.run_specs import RunSpec, parse_spec, parse_specs
from descentlab.linear.inputs import check_lrate
from descentlab.optim import hyperparameters, make_optimizer
from descentlab.optim.schedules import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)
from descentlab.validation import InputValueError, check_nonnegative_float

__all__ = ["SchedulersConfig", "build_schedule", "run", "schedule_defaults", "schedule_specs"]

DEFAULT_SCHEDULERS = (
    "constant",
    "step",
    "exponential",
    "cosine",
    "plateau",
    "warmup_cosine",
    "one_cycle",
)


def schedule_defaults(lr: float, total: int) -> dict[str, dict[str, Any]]:
    """Each schedule name with its hyperparameters' defaults for base rate ``lr`` over
    ``total`` updates (``warmup_cosine`` anneals over the updates left after the warm-up)."""
    return {
        "constant": {"lr": lr},
        "step": {"lr": lr, "step_size": max(1, total // 3), "gamma": 0.5},
        "exponential": {"lr": lr, "gamma": 0.99},
        "cosine": {"lr": lr, "T_max": total, "eta_min": 0.0},
        "plateau": {
            "lr": lr,
            "factor": 0.5,
            "patience": 2,
            "threshold": 1e-4,
            "threshold_mode": "rel",
            "cooldown": 0,
            "min_lr": 0.0,
        },
        "linear": {
            "lr": lr,
            "start_factor": 0.1,
            "end_factor": 1.0,
            "total_iters": max(1, total // 10),
        },
        "warmup_cosine": {
            "lr": lr,
            "warmup_steps": max(1, total // 10),
            "start_factor": 0.1,
            "eta_min": 0.0,
        },
        "one_cycle": {
            "max_lr": lr,
            "total_steps": total,
            "pct_start": 0.3,
            "anneal_strategy": "cos",
            "div_factor": 25.0,
            "final_div_factor": 1e4,
        },
    }


def build_schedule(name: str, hyper: dict[str, Any], total: int) -> Any:
    """The rate for ``descend``: a number, a step schedule or a ReduceLROnPlateau.

    ``hyper`` are the resolved hyperparameters; ``warmup_cosine`` gets ``T_max`` added.
    """
    if name == "constant":
        return check_nonnegative_float("lr", hyper["lr"])
    if name == "warmup_cosine":
        warmup = hyper["warmup_steps"]
        if not isinstance(warmup, int) or not 0 < warmup < total:
            raise InputValueError(
                f"warmup_steps must be an integer in [1, {total - 1}] (fewer than the "
                f"{total} updates), got {warmup!r}"
            )
        hyper["T_max"] = total - warmup
        return SequentialLR(
            [
                LinearLR(hyper["lr"], hyper["start_factor"], 1.0, warmup),
                CosineAnnealingLR(hyper["lr"], hyper["T_max"], hyper["eta_min"]),
            ],
            [warmup],
        )
    if name == "one_cycle" and hyper["total_steps"] < total:
        raise InputValueError(
            f"total_steps must be at least the number of updates ({total}), "
            f"got {hyper['total_steps']}"
        )
    kinds = {
        "step": StepLR,
        "exponential": ExponentialLR,
        "cosine": CosineAnnealingLR,
        "plateau": ReduceLROnPlateau,
        "linear": LinearLR,
        "one_cycle": OneCycleLR,
    }
    schedule = kinds[name](**hyper)
    if name in ("step", "exponential") and hyper["gamma"] > 1:  # the lab compares decays
        raise InputValueError(
            f"gamma must be a number in (0, 1] (a decay factor), got {hyper['gamma']!r}"
        )
    return schedule


def schedule_specs(texts: tuple[str, ...], lr: float, total: int) -> list[tuple[RunSpec, dict]]:
    """Parse and build every entry; returns each spec with its resolved hyperparameters."""
    defaults = schedule_defaults(lr, total)
    built: list[tuple[RunSpec, dict]] = []

    def parse(where: str, text: str) -> RunSpec:
        spec = parse_spec(where, text, defaults)
        hyper = {**defaults[spec.name], **spec.given}
        try:
            build_schedule(spec.name, hyper, total)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{error} (in {where} = {text!r})") from None
        built.append((spec, hyper))
        return spec

    parse_specs("schedulers", texts, parse)
    return built


@dataclass(frozen=True)
class SchedulersConfig(LinearProblemConfig):
    """``schedulers`` lists ``name:key=value:…`` entries; ``optimizer`` is one optimizer entry
    without ``lr`` (each schedule sets it, starting from ``lrate``)."""

    schedulers: tuple[str, ...] = DEFAULT_SCHEDULERS
    optimizer: str = "sgd"
    lrate: float = 0.1

    def __post_init__(self) -> None:
        super().__post_init__()
        check_lrate(self.lrate)
        spec = optimizer_spec("optimizer", self.optimizer)
        if "lr" in spec.given:
            raise InputValueError(
                f"optimizer must leave lr to the schedules (set lrate instead), "
                f"got {self.optimizer!r}"
            )
        if not self.data:  # with a user file the number of updates is known at run time only
            total = self.epochs * self.steps_per_epoch(self.n_samples)
            schedule_specs(self.schedulers, self.lrate, total)


def default_data(config: SchedulersConfig) -> Dataset:
    return problem_data(config)


def run(config: SchedulersConfig, data: Dataset) -> Outcome:
    problem = linear_problem(data)
    total = config.epochs * config.steps_per_epoch(len(problem.y))
    optimizer = optimizer_spec("optimizer", config.optimizer)
    optimizer_hyper = {**hyperparameters(optimizer.name), **optimizer.given}
    optimizer_hyper.pop("lr")

    def build(lr: Any) -> Any:
        return make_optimizer(optimizer.name, **optimizer.given, lr=lr)

    runs, trials = [], []
    for spec, hyper in schedule_specs(config.schedulers, config.lrate, total):
        descent = descend(
            problem,
            build,
            build_schedule(spec.name, hyper, total),
            **config.budget(),
        )
        summary = {
            "scheduler": spec.name,
            "label": spec.label,
            "hyperparameters": hyper,
            "lrates": descent.lrates,
            "steps": descent.steps,
            "final_loss": float(descent.epoch_losses[-1]),
            "final_distance_to_optimum": float(descent.distances[-1]),
            "status": descent.status,
        }
        runs.append(summary)
        start = hyper.get("lr", hyper.get("max_lr"))
        trials.append(
            descent_trial(
                spec.label,
                {"scheduler": spec.name, **hyper},
                descent,
                {k: v for k, v in summary.items() if k != "lrates"},
                start,
            )
        )
    results = {
        "runs": runs,
        "optimizer": {"name": optimizer.name, "hyperparameters": optimizer_hyper},
        "steps_per_epoch": total // config.epochs,
        "updates": total,
        "plateau_metric": "full-data training MSE after each epoch (standardised targets)",
        "optimum_loss": problem.optimum_loss,
        "standardised": {"features": True, "targets": True},
        "model": config.model,
    }
    plot_data = {
        "optimum_loss": problem.optimum_loss,
        "steps_per_epoch": total // config.epochs,
        "optimizer": optimizer.label,
    }
    return Outcome(results, trials, plot_data)


EXPERIMENT = Experiment(
    **catalog_fields("schedulers"),
    config_type=SchedulersConfig,
    default_data=default_data,
    run=run,
)
