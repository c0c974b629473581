"""SPEC §2.6: SGD, momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW and Adam variants compared.

Every optimizer gets the same standardised problem, initial weight, batch order and number of
updates (NOTE [fair comparison] in :mod:`.linear_problem`); the runs are compared by the
full-data loss and the distance to the least-squares weights after every epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

from descentlab.data import Dataset
from descentlab.experiments.base import Experiment, Outcome
from descentlab.experiments.linear_problem import (
    LinearProblemConfig,
    descend,
    descent_trial,
    linear_problem,
    problem_data,
)
from descentlab.experiments.run_specs import RunSpec, parse_spec, parse_specs
from descentlab.optim import OPTIMIZERS, hyperparameters, make_optimizer

__all__ = ["OptimizersConfig", "optimizer_spec", "optimizer_specs", "run"]

# Rates picked so that each method settles within the default 30 epochs on the standardised
# problem (momentum 0.9 at lr 0.005 takes steps as long as SGD's at 0.05 once it has built up);
# the last three change one thing each from the first Adam line (SPEC §2.6).
DEFAULT_OPTIMIZERS = (
    "sgd:lr=0.05",
    "momentum:lr=0.005",
    "nesterov:lr=0.005",
    "adagrad:lr=0.2",
    "rmsprop:lr=0.01",
    "adam:lr=0.05",
    "adamw:lr=0.05",
    "adam:lr=0.05:betas=0.5/0.999",
    "adam:lr=0.05:betas=0.9/0.99",
    "adam:lr=0.01",
)


@dataclass(frozen=True)
class OptimizersConfig(LinearProblemConfig):
    """``optimizers`` lists ``name:key=value:…`` entries (names from ``OPTIMIZERS``)."""

    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS

    def __post_init__(self) -> None:
        super().__post_init__()
        optimizer_specs(self.optimizers)


def optimizer_spec(where: str, text: str) -> RunSpec:
    """Parse one entry and build its optimizer once, so bad hyperparameters fail early.

    A hyperparameter the optimizer refuses raises the optimizer's own message
    (``lr must be …, got …``) with the entry it came from appended.
    """
    spec = parse_spec(where, text, {name: hyperparameters(name) for name in OPTIMIZERS})
    try:
        make_optimizer(spec.name, **spec.given)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{error} (in {where} = {text!r})") from None
    return spec


def optimizer_specs(texts: tuple[str, ...]) -> list[RunSpec]:
    """Every entry of ``optimizers``, parsed and checked."""
    return parse_specs("optimizers", texts, optimizer_spec)


def default_data(config: OptimizersConfig) -> Dataset:
    return problem_data(config)


def run(config: OptimizersConfig, data: Dataset) -> Outcome:
    problem = linear_problem(data)
    steps_per_epoch = config.steps_per_epoch(len(problem.y))
    runs, trials = [], []
    for spec in optimizer_specs(config.optimizers):
        hyper = {**hyperparameters(spec.name), **spec.given}
        descent = descend(
            problem,
            lambda lr, spec=spec: make_optimizer(spec.name, **{**spec.given, "lr": lr}),
            hyper["lr"],
            **config.budget(),
        )
        summary = {
            "optimizer": spec.name,
            "label": spec.label,
            "hyperparameters": hyper,
            "final_loss": float(descent.epoch_losses[-1]),
            "final_distance_to_optimum": float(descent.distances[-1]),
            "steps": descent.steps,
            "status": descent.status,
        }
        runs.append(summary)
        trials.append(
            descent_trial(
                spec.label, {"optimizer": spec.name, **hyper}, descent, summary, hyper["lr"]
            )
        )
    results = {
        "runs": runs,
        "steps_per_epoch": steps_per_epoch,
        "updates": steps_per_epoch * config.epochs,
        "optimum_weights": problem.optimum.ravel(),
        "optimum_loss": problem.optimum_loss,
        "initial_distance_to_optimum": trials[0].metrics["distance_to_optimum"][0],
        "standardised": {"features": True, "targets": True},
        "target_scaling": problem.target_scaling,
        "model": config.model,
    }
    plot_data = {"optimum_loss": problem.optimum_loss, "batch_size": config.batch_size}
    return Outcome(results, trials, plot_data)


EXPERIMENT = Experiment(
    name="optimizers",
    spec="§2.6",
    summary="SGD, momentum, Nesterov, Adagrad, RMSprop, Adam(W) and Adam variants, equal updates.",
    config_type=OptimizersConfig,
    default_data=default_data,
    run=run,
)
