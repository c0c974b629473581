"""SPEC §2.3: gradient descent on several features, the backends' histories shown to agree.

Every backend of :data:`~descentlab.linear.BACKENDS` (NumPy's hand gradient, torch's autograd,
TensorFlow's GradientTape) runs GD from the same seeded weight; each is compared with the NumPy
history (``backend_max_abs_diffs``), and ``backend_max_abs_diff`` is the largest of those gaps.
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
from descentlab.linear import BACKENDS, get_backend, least_squares
from descentlab.linear.inputs import check_epochs, check_lrate
from descentlab.validation import check_positive_int


@dataclass(frozen=True)
class GDMultiFeatureConfig(RegressionDataConfig):
    n_samples: int = 1000
    n_features: int = 4
    epochs: int = 100
    lrate: float = 0.1

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive_int("n_features", self.n_features)
        check_epochs(self.epochs)
        check_lrate(self.lrate)


def default_data(config: GDMultiFeatureConfig) -> Dataset:
    return load_data(config, config.n_features)


def run(config: GDMultiFeatureConfig, data: Dataset) -> Outcome:
    X, y = data.X, data.y
    optimum = least_squares(X, y)
    optimum_loss = float(np.mean((y - X @ optimum) ** 2))
    trials, finals, distances, histories = [], {}, {}, {}
    for name in BACKENDS:
        history = get_backend(name).GD(X, y, config.epochs, config.lrate, seed=config.seed)
        weights = np.asarray(history.weights, dtype=np.float64).reshape(-1, X.shape[1])
        losses = np.asarray(history.losses, dtype=np.float64)
        histories[name] = (weights, losses)
        finals[name] = weights[-1]
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's weights
            distances[name] = float(np.linalg.norm(weights[-1] - optimum.ravel()))
        metrics = {"loss": losses}
        metrics.update({f"weight[{j}]": weights[:, j] for j in range(X.shape[1])})
        trials.append(
            trial_record(
                name,
                {"backend": name, "lrate": config.lrate, "epochs": config.epochs},
                metrics,
                {"final_loss": float(losses[-1]), "distance_to_optimum": distances[name]},
                full_batch_divergence(losses, config.lrate, name=name),
            )
        )
    reference = histories["numpy"]
    diffs = {
        name: largest_finite_difference(reference, history)
        for name, history in histories.items()
        if name != "numpy"
    }
    results = {
        "final_weights": finals,
        "final_losses": {name: float(h[1][-1]) for name, h in histories.items()},
        "optimum_weights": optimum.ravel(),
        "optimum_loss": optimum_loss,
        "distance_to_optimum": distances,
        "backend_max_abs_diff": max(diffs.values()),
        "backend_max_abs_diffs": diffs,
        "feature_names": list(data.feature_names),
    }
    plot_data = {"optimum_weights": optimum.ravel(), "optimum_loss": optimum_loss}
    return Outcome(results, trials, plot_data)


EXPERIMENT = Experiment(
    **catalog_fields("gd-multifeature"),
    config_type=GDMultiFeatureConfig,
    default_data=default_data,
    run=run,
)
