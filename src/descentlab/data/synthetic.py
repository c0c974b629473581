"""Built-in synthetic data (scikit-learn generators), features standardised."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.datasets import make_regression

from descentlab.data.dataset import Dataset
from descentlab.validation import check_nonnegative_float, check_positive_int, check_seed

__all__ = ["regression_data", "standardize"]


def standardize(X: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """Zero-mean, unit-variance columns; a constant column is centred and left unscaled."""
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    scale = np.where(std > 0, std, 1.0)
    return (X - mean) / scale, {"mean": mean.tolist(), "std": scale.tolist()}


def regression_data(n_samples: int, n_features: int, *, noise: float, random_state: int) -> Dataset:
    """``make_regression(n_samples, n_features, noise, random_state)`` with standardised X.

    The targets stay as generated (no bias term: ``make_regression`` centres them at 0).
    """
    n_samples = check_positive_int("n_samples", n_samples)
    n_features = check_positive_int("n_features", n_features)
    noise = check_nonnegative_float("noise", noise)
    random_state = check_seed("data_seed", random_state)
    X, y = make_regression(
        n_samples=n_samples, n_features=n_features, noise=noise, random_state=random_state
    )
    X, scaling = standardize(X)
    return Dataset(
        X=X,
        y=y.reshape(-1, 1),
        feature_names=tuple(f"x{i}" for i in range(n_features)),
        target_name="y",
        source=(
            f"sklearn.datasets.make_regression(n_samples={n_samples}, n_features={n_features}, "
            f"noise={noise}, random_state={random_state})"
        ),
        scaling=scaling,
    )
