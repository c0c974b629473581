"""SPEC §2.1: gradient descent with one feature — loss vs weight and loss vs epoch.

NOTE [numpy runs stay numpy]: a run on the NumPy backend takes milliseconds, and importing torch
or TensorFlow takes seconds, so it computes on NumPy alone and ``backend_max_abs_diff`` is None. A
torch or tf run also runs the NumPy reference (cheap once the framework is loaded) and reports the
largest difference between the two trajectories, importing no other framework;
``gd-multifeature`` (§2.3) is the experiment that shows all the backends agree on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.data import Dataset
from descentlab.divergence import full_batch_divergence
from descentlab.experiments.base import (
    Experiment,
    Outcome,
    largest_finite_difference,
    trial_record,
)
from descentlab.experiments.catalog import catalog_fields
from descentlab.experiments.data_config import RegressionDataConfig, load_data
from descentlab.experiments.loss_window import loss_window
from descentlab.linear import get_backend, least_squares
from descentlab.linear.inputs import check_epochs, check_lrate
from descentlab.linear.loss_grid import loss_curve


@dataclass(frozen=True)
class GDOneFeatureConfig(RegressionDataConfig):
    epochs: int = 100
    lrate: float = 0.1

    def __post_init__(self) -> None:
        super().__post_init__()
        check_epochs(self.epochs)
        check_lrate(self.lrate)


def default_data(config: GDOneFeatureConfig) -> Dataset:
    return load_data(config, 1)


def run(config: GDOneFeatureConfig, data: Dataset) -> Outcome:
    data.require_features(1, "gd-onefeature")
    x, y = data.X, data.y
    names = ("numpy",) if config.backend == "numpy" else ("numpy", config.backend)
    histories = {
        name: get_backend(name).GD_onefeature(x, y, config.epochs, config.lrate, seed=config.seed)
        for name in names
    }
    main = histories[config.backend]
    weights = np.asarray(main.weights, dtype=np.float64)
    losses = np.asarray(main.losses, dtype=np.float64)
    diff = None
    if len(histories) == 2:
        a, b = (np.asarray(h.weights, dtype=np.float64) for h in histories.values())
        la, lb = (np.asarray(h.losses, dtype=np.float64) for h in histories.values())
        diff = largest_finite_difference((a, la), (b, lb))
    optimum = float(least_squares(x, y)[0, 0])
    optimum_loss = float(loss_curve(x, y, np.array([optimum]))[0])
    grid, curve = loss_window(x, y, [weights], optimum)
    divergence = full_batch_divergence(losses, config.lrate)
    results = {
        "weights": weights,
        "losses": losses,
        "final_weight": float(weights[-1]),
        "final_loss": float(losses[-1]),
        "optimum_weight": optimum,
        "optimum_loss": optimum_loss,
        "backend_max_abs_diff": diff,  # NOTE [numpy runs stay numpy]
        "status": main.status,
        "diverged_at": main.diverged_at,
        "divergence": None if divergence is None else divergence.as_json(),
    }
    trial = trial_record(
        f"{config.backend} lrate={config.lrate:g}",
        {"lrate": config.lrate, "epochs": config.epochs, "backend": config.backend},
        {"weight": weights, "loss": losses},
        {"final_weight": results["final_weight"], "final_loss": results["final_loss"]},
        divergence,
    )
    plot_data = {
        "curve_weights": grid,
        "curve_losses": curve,
        "optimum": [optimum, optimum_loss],
        "lrate": config.lrate,
    }
    return Outcome(results, [trial], plot_data)


EXPERIMENT = Experiment(
    **catalog_fields("gd-onefeature"),
    config_type=GDOneFeatureConfig,
    default_data=default_data,
    run=run,
)
