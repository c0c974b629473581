"""SPEC §2.2: the effect of the learning rate, with the stability bound 2/λmax marked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.data import Dataset
from descentlab.divergence import full_batch_divergence
from descentlab.experiments.base import Experiment, Outcome, trial_record
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.data_config import RegressionDataConfig, load_data
from descentlab.experiments.loss_window import loss_window
from descentlab.linear import get_backend, least_squares
from descentlab.linear.inputs import check_epochs, check_lrate
from descentlab.linear.loss_grid import loss_curve
from descentlab.linear.stability import classify_run, stability_bound
from descentlab.validation import InputValueError, check_int

DEFAULT_SNAPSHOTS = (0, 1, 5, 20, 100)


@dataclass(frozen=True)
class LRSweepConfig(RegressionDataConfig):
    lrates: tuple[float, ...] = (0.001, 0.01, 0.1, 0.9)
    epochs: int = 100
    snapshot_epochs: tuple[int, ...] = DEFAULT_SNAPSHOTS

    def __post_init__(self) -> None:
        super().__post_init__()
        check_epochs(self.epochs)
        if not self.lrates:
            raise InputValueError("lrates must list at least one learning rate, got ()")
        for lrate in self.lrates:
            check_lrate(lrate)
        if self.snapshot_epochs == DEFAULT_SNAPSHOTS:  # the defaults follow a shorter run
            kept = tuple(e for e in DEFAULT_SNAPSHOTS if e <= self.epochs)
            object.__setattr__(self, "snapshot_epochs", kept)
        if not self.snapshot_epochs:
            raise InputValueError("snapshot_epochs must list at least one epoch index, got ()")
        for epoch in self.snapshot_epochs:
            check_int("snapshot_epochs", epoch, minimum=0)
            if epoch > self.epochs:  # a snapshot that can never be taken
                raise InputValueError(
                    f"snapshot_epochs must be epoch indices in [0, epochs={self.epochs}], "
                    f"got {epoch}"
                )


def default_data(config: LRSweepConfig) -> Dataset:
    return load_data(config, 1)


def run(config: LRSweepConfig, data: Dataset) -> Outcome:
    data.require_features(1, "lr-sweep")
    x, y = data.X, data.y
    backend = get_backend(config.backend)
    optimum = float(least_squares(x, y)[0, 0])
    optimum_loss = float(loss_curve(x, y, np.array([optimum]))[0])
    bound = stability_bound(x)
    runs, trials, all_weights = [], [], []
    for lrate in config.lrates:
        history = backend.GD_onefeature(x, y, config.epochs, lrate, seed=config.seed)
        weights = np.asarray(history.weights, dtype=np.float64)
        losses = np.asarray(history.losses, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's huge weights
            behaviour = classify_run(
                x,
                weights,
                losses,
                np.array([optimum]),
                optimum_loss,
                diverged=history.status == "diverged",
            )
        divergence = full_batch_divergence(losses, lrate)
        summary = {
            "lrate": lrate,
            "final_weight": float(weights[-1]),
            "final_loss": float(losses[-1]),
            "behaviour": behaviour.label,
            "converged": behaviour.converged,
            "status": history.status,
            "divergence": None if divergence is None else divergence.as_json(),
        }
        runs.append(summary)
        all_weights.append(weights)
        trials.append(
            trial_record(
                f"lrate={lrate:g}",
                {"lrate": lrate, "epochs": config.epochs},
                {"weight": weights, "loss": losses},
                summary,
                divergence,
            )
        )
    grid, curve = loss_window(x, y, all_weights, optimum)  # NOTE [loss window]
    results = {
        "runs": runs,
        "stability_bound": bound,
        "optimum_weight": optimum,
        "optimum_loss": optimum_loss,
    }
    plot_data = {
        "curve_weights": grid,
        "curve_losses": curve,
        "optimum": [optimum, optimum_loss],
        "x": x.ravel(),
        "y": y.ravel(),
        "snapshot_epochs": [e for e in config.snapshot_epochs if e <= config.epochs],
        "stability_bound": bound,
    }
    return Outcome(results, trials, plot_data)


EXPERIMENT = Experiment(
    **catalog_fields("lr-sweep"),
    config_type=LRSweepConfig,
    default_data=default_data,
    run=run,
)
