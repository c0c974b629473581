"""SPEC §2.6: SGD, momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW and Adam variants compared,
on the linear model (``model=linear``, the default) or on an MLP (``model=mlp``).

Every optimizer gets the same standardised problem, initial parameters, batch order and number
of updates (NOTE [fair comparison] in :mod:`.linear_problem`, NOTE [MLP fairness] in
:mod:`.mlp_problem`). Linear runs are compared by the full-data loss and the distance to the
least-squares weights after every epoch; MLP runs, which have no such optimum, by the training
and validation loss after every epoch. The MLP is trained by descentlab's own optimizers through
the torch adaptor, so both models see the same set of optimizers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from descentlab.data import Dataset, friedman_data
from descentlab.experiments.base import Experiment, Outcome
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.linear_problem import (
    Descent,
    LinearProblemConfig,
    descend,
    descent_trial,
    linear_problem,
    problem_data,
)
from descentlab.experiments.run_specs import RunSpec, parse_spec, parse_specs
from descentlab.optim import OPTIMIZERS, hyperparameters, make_optimizer
from descentlab.validation import (
    check_nonnegative_float,
    check_positive_int,
    check_unit_interval,
)

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
    """``optimizers`` lists ``name:key=value:…`` entries (names from ``OPTIMIZERS``).

    ``model`` is ``linear`` or ``mlp``. The MLP fields (checked when ``model`` is ``mlp``, so
    that a linear run never loads torch): ``layers`` (hidden widths), ``activation``,
    ``val_fraction`` (the part held out for the validation loss; its rows are drawn from
    ``data_seed``) and ``friedman_noise`` (the noise of the MLP's built-in ``make_friedman1``
    data; ``noise`` is that of the linear model's ``make_regression``).
    """

    MODELS: ClassVar[tuple[str, ...]] = ("linear", "mlp")

    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS
    layers: tuple[int, ...] = (32, 16)
    activation: str = "tanh"
    val_fraction: float = 0.2
    friedman_noise: float = 1.0

    def __post_init__(self) -> None:
        super().__post_init__()
        optimizer_specs(self.optimizers)
        # the values are checked for every model (a typo is a typo even where it is unused);
        # the activation's name needs torch, so only an MLP run checks it
        for width in self.layers:
            check_positive_int("layers entry", width)
        check_unit_interval("val_fraction", self.val_fraction)
        check_nonnegative_float("friedman_noise", self.friedman_noise)
        if self.model == "mlp":
            from descentlab.experiments.mlp_problem import check_network

            check_network(self.layers, self.activation)


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
    """The user's file; else ``make_regression`` for the linear model and ``make_friedman1``
    (a nonlinear target) for the MLP."""
    if config.model == "mlp" and not config.data:
        return friedman_data(
            config.n_samples,
            config.n_features,
            noise=config.friedman_noise,
            random_state=config.data_seed,
        )
    return problem_data(config)


def _compare(
    config: OptimizersConfig, train: Any, n_samples: int
) -> tuple[list[dict[str, Any]], list[Any], int]:
    """Run ``train(spec, hyper) -> Descent`` for every entry; the runs' summaries and trials."""
    steps_per_epoch = config.steps_per_epoch(n_samples)
    runs, trials = [], []
    for spec in optimizer_specs(config.optimizers):
        hyper = {**hyperparameters(spec.name), **spec.given}
        descent: Descent = train(spec, hyper)
        summary = {
            "optimizer": spec.name,
            "label": spec.label,
            "hyperparameters": hyper,
            "final_loss": float(descent.epoch_losses[-1]),
            "steps": descent.steps,
            "status": descent.status,
        }
        if descent.distances is not None:
            summary["final_distance_to_optimum"] = float(descent.distances[-1])
        if descent.val_losses is not None:
            summary["final_val_loss"] = float(descent.val_losses[-1])
        runs.append(summary)
        trials.append(
            descent_trial(
                spec.label, {"optimizer": spec.name, **hyper}, descent, summary, hyper["lr"]
            )
        )
    return runs, trials, steps_per_epoch


def _run_linear(config: OptimizersConfig, data: Dataset) -> Outcome:
    problem = linear_problem(data)

    def train(spec: RunSpec, hyper: dict[str, Any]) -> Descent:
        return descend(
            problem,
            lambda lr: make_optimizer(spec.name, **{**spec.given, "lr": lr}),
            hyper["lr"],
            **config.budget(),
        )

    runs, trials, steps_per_epoch = _compare(config, train, len(problem.y))
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


def _run_mlp(config: OptimizersConfig, data: Dataset) -> Outcome:
    from descentlab.experiments.mlp_problem import descend_mlp, mlp_problem
    from descentlab.optim.torch_adapter import DescentlabOptimizer

    problem = mlp_problem(
        data,
        layers=config.layers,
        activation=config.activation,
        val_fraction=config.val_fraction,
        split_seed=config.data_seed,
        seed=config.seed,
    )

    def train(spec: RunSpec, hyper: dict[str, Any]) -> Descent:
        return descend_mlp(
            problem,
            lambda params: DescentlabOptimizer(params, spec.name, **spec.given),
            **config.budget(),
        )

    runs, trials, steps_per_epoch = _compare(config, train, len(problem.y))
    results = {
        "runs": runs,
        "steps_per_epoch": steps_per_epoch,
        "updates": steps_per_epoch * config.epochs,
        "model": config.model,
        "network": {
            "layers": list(config.layers),
            "activation": config.activation,
            "parameters": problem.n_parameters,
            "dtype": "float64",
        },
        "losses": (
            "MSE on standardised targets: final_loss and the epoch_loss series are the training "
            "part's, final_val_loss and val_loss the held-out part's (epoch 0 is the start); an "
            "MLP has no least-squares optimum, so there is no distance to it"
        ),
        "split": {
            "train": len(problem.y),
            "validation": 0 if problem.y_val is None else len(problem.y_val),
        },
        "linear_baseline_loss": problem.linear_loss,
        "optimizer_implementation": "descentlab (torch adaptor)",
        "standardised": {"features": True, "targets": True},
        "target_scaling": problem.target_scaling,
    }
    plot_data = {"linear_baseline_loss": problem.linear_loss, "batch_size": config.batch_size}
    return Outcome(results, trials, plot_data)


def run(config: OptimizersConfig, data: Dataset) -> Outcome:
    """Train every optimizer of ``config`` on ``config.model`` over ``data``."""
    if config.model == "mlp":
        return _run_mlp(config, data)
    return _run_linear(config, data)


EXPERIMENT = Experiment(
    **catalog_fields("optimizers"),
    config_type=OptimizersConfig,
    default_data=default_data,
    run=run,
)
