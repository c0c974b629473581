"""SPEC §2.4: mini-batch SGD at several batch sizes — single-sample, mini-batch, full batch.

With ``backend=numpy`` the runs go through the compiled fast path
(:mod:`descentlab.linear.fast_backend`), which gives the NumPy reference's trajectory for the same
seed; ``backend=torch`` runs the autograd loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.data import Dataset
from descentlab.divergence import minibatch_divergence
from descentlab.experiments.base import Experiment, Outcome, trial_record
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.data_config import RegressionDataConfig, load_data
from descentlab.experiments.loss_window import loss_window
from descentlab.linear import fast_backend, get_backend, least_squares
from descentlab.linear.inputs import check_epochs, check_lrate
from descentlab.linear.loss_grid import loss_curve
from descentlab.validation import InputValueError, check_positive_int


@dataclass(frozen=True)
class MinibatchSGDConfig(RegressionDataConfig):
    batch_sizes: tuple[int, ...] = (1, 10, 100)
    lrate: float = 0.02
    epochs: int = 100
    drop_last: bool = False
    first_batches: int = 100

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.batch_sizes:
            raise InputValueError("batch_sizes must list at least one batch size, got ()")
        for size in self.batch_sizes:
            check_positive_int("batch_size", size)
        check_lrate(self.lrate)
        check_epochs(self.epochs)
        check_positive_int("first_batches", self.first_batches)


def default_data(config: MinibatchSGDConfig) -> Dataset:
    return load_data(config, 1)


def run(config: MinibatchSGDConfig, data: Dataset) -> Outcome:
    data.require_features(1, "minibatch-sgd")
    x, y = data.X, data.y
    backend = fast_backend.BACKEND if config.backend == "numpy" else get_backend(config.backend)
    optimum = float(least_squares(x, y)[0, 0])
    runs, trials, seen = [], [], []
    for batch_size in config.batch_sizes:
        history = backend.minibatchSGD(
            x,
            y,
            batch_size,
            config.epochs,
            config.lrate,
            seed=config.seed,
            drop_last=config.drop_last,
        )
        weights = np.asarray(history.weights, dtype=np.float64).ravel()
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's huge weights
            full_losses = loss_curve(x, y, weights)
        batch_losses = np.asarray(history.batch_losses, dtype=np.float64)
        epoch_losses = np.asarray(history.epoch_losses, dtype=np.float64)
        name = f"batch size {batch_size}"
        divergence = minibatch_divergence(batch_losses, epoch_losses, config.lrate, name=name)
        summary = {
            "batch_size": batch_size,
            "steps": history.steps,
            "steps_per_epoch": history.steps_per_epoch,
            "final_weight": float(weights[-1]),
            "final_loss": float(history.epoch_losses[-1]),
            "status": history.status,
            "divergence": None if divergence is None else divergence.as_json(),
        }
        runs.append(summary)
        seen.append(weights)
        trials.append(
            trial_record(
                f"batch_size={batch_size}",
                {"batch_size": batch_size, "lrate": config.lrate, "epochs": config.epochs},
                {
                    "weight": weights,
                    "loss": full_losses,
                    "batch_loss": batch_losses,
                    "epoch_loss": epoch_losses,
                },
                summary,
                divergence,
            )
        )
    grid, curve = loss_window(x, y, seen, optimum)  # NOTE [loss window]
    optimum_loss = float(loss_curve(x, y, np.array([optimum]))[0])
    results = {"runs": runs, "optimum_weight": optimum, "optimum_loss": optimum_loss}
    plot_data = {
        "curve_weights": grid,
        "curve_losses": curve,
        "optimum": [optimum, optimum_loss],
        "first_batches": config.first_batches,
        "lrate": config.lrate,
    }
    return Outcome(results, trials, plot_data)


EXPERIMENT = Experiment(
    **catalog_fields("minibatch-sgd"),
    config_type=MinibatchSGDConfig,
    default_data=default_data,
    run=run,
)
