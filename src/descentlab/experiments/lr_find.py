"""SPEC §2.12: the learning-rate range test on the linear model, with the suggested rate tried.

Features and targets are standardised (the shared linear problem of the optimizer experiments),
so the loss starts near 1 whatever the data's units (SPEC §6: no optimizer judged on unscaled
targets). ``model`` is ``linear`` or ``mlp``. The linear model is
``torch.nn.Linear(n, 1, bias=False)`` in float64, started from the project's seeded initial
weights; the MLP is ``make_model("mlp", n, 1, layers=…, activation=…, seed=seed)`` in float64.
After the range test (which restores the model and the optimizer) the same model is trained at
the suggested rate to show that the suggestion works. For the linear model the stability bound
2/λmax of plain GD on this quadratic is reported beside it; an MLP's loss is no quadratic, so
it has none, and the least-squares MSE is then the line a linear model cannot get under.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from descentlab.data import Dataset
from descentlab.divergence import full_batch_divergence
from descentlab.experiments.base import Experiment, Outcome, trial_record
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.data_config import RegressionDataConfig, load_data
from descentlab.experiments.linear_problem import linear_problem
from descentlab.experiments.mlp_problem import check_network
from descentlab.linear.batches import batch_indices
from descentlab.linear.initial import batch_rng, initial_weight
from descentlab.linear.stability import stability_bound
from descentlab.lrfind import lr_range_test
from descentlab.lrfind.rate_curve import exponential_ramp
from descentlab.models import make_model
from descentlab.optim import OPTIMIZERS
from descentlab.optim.torch_adapter import make_torch_optimizer
from descentlab.store.records import TrialRecord
from descentlab.torch_device import resolve_device
from descentlab.validation import (
    InputValueError,
    check_choice,
    check_int,
    check_positive_float,
    check_positive_int,
    check_unit_interval,
)

MODELS = ("linear", "mlp")


@dataclass(frozen=True)
class LRFindConfig(RegressionDataConfig):
    """``layers`` (hidden widths) and ``activation`` shape the network of ``model=mlp``."""

    backend: str = "torch"
    model: str = "linear"
    layers: tuple[int, ...] = (32, 16)
    activation: str = "tanh"
    n_features: int = 4
    """Width of the built-in data; a ``data`` file brings its own feature count."""
    device: str = "cpu"
    optimizer: str = "sgd"
    batch_size: int = 20
    min_lr: float = 1e-4
    max_lr: float = 10.0
    num_steps: int = 100
    smoothing: float = 0.9
    divergence_factor: float = 4.0
    train_epochs: int = 30

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("backend", self.backend, ("torch",))
        check_choice("model", self.model, MODELS)
        for width in self.layers:  # checked for every model, used by an MLP
            check_positive_int("layers entry", width)
        if self.model == "mlp":
            check_network(self.layers, self.activation)
        check_positive_int("n_features", self.n_features)
        check_choice("device", self.device, ("cpu", "cuda"))
        check_choice("optimizer", self.optimizer, list(OPTIMIZERS))
        check_positive_int("batch_size", self.batch_size)
        exponential_ramp(self.min_lr, self.max_lr, self.num_steps)  # checks all three
        check_unit_interval("smoothing", self.smoothing)
        factor = check_positive_float("divergence_factor", self.divergence_factor)
        if factor <= 1:
            raise InputValueError(f"divergence_factor must be a number > 1, got {factor!r}")
        check_int("train_epochs", self.train_epochs, minimum=0)


def default_data(config: LRFindConfig) -> Dataset:
    return load_data(config, config.n_features)


class ShuffledBatches:
    """Mini-batches as float64 tensors on ``device``, a new permutation on every pass.

    Each ``iter()`` is the next epoch drawn from one generator (NOTE [batch order] in
    :mod:`descentlab.linear.batches`), so the range test can restart it as often as it needs.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, batch_size: int, seed: int, device: str):
        self.X, self.y = torch.from_numpy(X).to(device), torch.from_numpy(y).to(device)
        self.batch_size = batch_size
        self.rng = batch_rng(seed)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for idx in batch_indices(len(self.X), self.batch_size, rng=self.rng):
            rows = torch.from_numpy(idx).to(self.X.device)
            yield self.X[rows], self.y[rows]


def _linear_model(n_features: int, seed: int, device: torch.device) -> torch.nn.Module:
    model = torch.nn.Linear(n_features, 1, bias=False).to(device=device, dtype=torch.float64)
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(initial_weight(n_features, seed).T))
    return model


def _model(config: LRFindConfig, n_features: int, device: torch.device) -> torch.nn.Module:
    if config.model == "linear":
        return _linear_model(n_features, config.seed, device)
    network = make_model(
        "mlp",
        n_features,
        1,
        layers=config.layers,
        activation=config.activation,
        seed=config.seed,
    )
    return network.to(device=device, dtype=torch.float64)


def _train(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    batches: ShuffledBatches,
    epochs: int,
    lrate: float,
) -> np.ndarray:
    """Full-data MSE before training and after each epoch at ``lrate`` (stops when non-finite)."""
    loss_fn = torch.nn.MSELoss()
    for group in optimizer.param_groups:
        group["lr"] = lrate
    history = []
    for epoch in range(epochs + 1):
        with torch.no_grad():
            history.append(float(loss_fn(model(batches.X), batches.y).item()))
        if epoch == epochs or not np.isfinite(history[-1]):
            break
        for inputs, targets in batches:
            optimizer.zero_grad()
            loss_fn(model(inputs), targets).backward()
            optimizer.step()
    return np.asarray(history)


def run(config: LRFindConfig, data: Dataset) -> Outcome:
    device = resolve_device(config.device)
    problem = linear_problem(data)  # features and targets standardised (NOTE [fair comparison])
    optimum_loss = problem.optimum_loss
    bound = stability_bound(problem.X) if config.model == "linear" else None
    batches = ShuffledBatches(problem.X, problem.y, config.batch_size, config.seed, config.device)
    model = _model(config, problem.X.shape[1], device)  # a user's file brings its own width
    optimizer = make_torch_optimizer(config.optimizer, model.parameters(), lr=config.min_lr)
    found = lr_range_test(
        model,
        optimizer,
        torch.nn.MSELoss(),
        batches,
        min_lr=config.min_lr,
        max_lr=config.max_lr,
        num_steps=config.num_steps,
        smoothing=config.smoothing,
        divergence_factor=config.divergence_factor,
    )
    trials = [
        TrialRecord(
            label="range test",
            config={"optimizer": config.optimizer, "batch_size": config.batch_size},
            status="finished",
            metrics={
                "lrate": found.lrates,
                "loss": found.losses,
                "smoothed": found.smoothed,
                "smoothed_two_way": found.smoothed_two_way,
            },
            summary={"suggested_lrate": found.suggested_lrate, "stop_reason": found.stop_reason},
        )
    ]
    training = None
    if found.suggested_lrate is not None and config.train_epochs > 0:
        history = _train(model, optimizer, batches, config.train_epochs, found.suggested_lrate)
        label = "training at the suggested rate"
        divergence = full_batch_divergence(
            history,
            found.suggested_lrate,
            updates_per_epoch=-(-len(problem.y) // config.batch_size),
            name=label,
        )
        training = {
            "lrate": found.suggested_lrate,
            "epochs": config.train_epochs,
            "final_loss": float(history[-1]),
            "optimum_loss": optimum_loss,
            "status": "finished" if divergence is None else "diverged",
        }
        trials.append(
            trial_record(
                label,
                {"lrate": found.suggested_lrate, "epochs": config.train_epochs},
                {"loss": history},
                training,
                divergence,
            )
        )
    results = {
        **found.as_json(),
        "model": config.model,
        **(
            {"network": {"layers": list(config.layers), "activation": config.activation}}
            if config.model == "mlp"
            else {}
        ),
        "optimizer": config.optimizer,
        "stability_bound": bound,
        "optimum_loss": optimum_loss,
        "training": training,
    }
    plot_data = {"divergence_factor": config.divergence_factor}
    return Outcome(results, trials, plot_data)


def headline(results: dict) -> str:
    """The one-line summary the CLI prints for a run."""
    suggested = results["suggested_lrate"]
    text = "no suggestion (the loss never fell)" if suggested is None else f"{suggested:.3g}"
    bound = results["stability_bound"]
    bound_text = "" if bound is None else f" (GD stability bound 2/λmax = {bound:.3g})"
    return (
        f"suggested lrate {text}{bound_text}; {len(results['lrates'])} of "
        f"{results['planned_steps']} steps, stop: {results['stop_reason']}"
    )


EXPERIMENT = Experiment(
    **catalog_fields("lr-find"),
    config_type=LRFindConfig,
    default_data=default_data,
    run=run,
    headline=headline,
)
