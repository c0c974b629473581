"""Built-in synthetic data, features standardised.

NOTE [regression bits]: ``regression_data`` is the default data of every linear-model experiment,
and importing scikit-learn takes longer than the whole one-feature run. So it draws its numbers
here with NumPy, in the order and with the operations of ``sklearn.datasets.make_regression``
(one legacy ``RandomState(seed)``: Gaussian X, coefficients 100·U(0, 1) on the first
min(n, 10) features, Gaussian noise, then a shuffle of the rows and of the columns). The arrays
are bit for bit those of ``make_regression(n_samples, n_features, noise=noise,
random_state=seed)``, asserted against scikit-learn in tests/data/test_regression_bits.py, so
stored runs, fingerprints and the ``source`` text stay as they were. The classification and
Friedman generators import scikit-learn when called.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descentlab.data.dataset import Dataset
from descentlab.validation import (
    InputValueError,
    check_nonnegative_float,
    check_positive_int,
    check_seed,
)

__all__ = [
    "apply_scaling",
    "classification_data",
    "friedman_data",
    "regression_data",
    "standardize",
]


# NOTE [huge columns]: the variance squares the values, so a column with entries above about
# 1e154 overflows to an infinite std and dividing by it would silently zero the feature. Such
# columns (any entry above ``_SQUARE_SAFE``) are first divided by their largest magnitude, their
# mean and std measured on that copy and scaled back (both stay below the largest entry, so they
# are finite); their standardised values are computed on the divided copy too. Ordinary columns
# take the plain formula, so their numbers do not change.
_SQUARE_SAFE = 1e150


def _huge_columns(*arrays: np.ndarray) -> np.ndarray:
    return np.logical_or.reduce([np.abs(a).max(axis=0) > _SQUARE_SAFE for a in arrays])


def standardize(X: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """Zero-mean, unit-variance columns; a constant column is centred and left unscaled.

    Columns of huge values are measured without overflow (NOTE [huge columns]).
    """
    huge = _huge_columns(X) if X.size else np.zeros(X.shape[1:], dtype=bool)
    if not huge.any():
        mean = X.mean(axis=0)
        std = X.std(axis=0)
        scale = np.where(std > 0, std, 1.0)
        return (X - mean) / scale, {"mean": mean.tolist(), "std": scale.tolist()}
    mean = np.empty(X.shape[1])
    scale = np.empty(X.shape[1])
    out = np.empty_like(X, dtype=np.float64)
    plain = ~huge
    if plain.any():
        part = X[:, plain]
        mean[plain] = part.mean(axis=0)
        std = part.std(axis=0)
        scale[plain] = np.where(std > 0, std, 1.0)
        out[:, plain] = (part - mean[plain]) / scale[plain]
    magnitude = np.abs(X[:, huge]).max(axis=0)
    shrunk = X[:, huge] / magnitude
    shrunk_mean = shrunk.mean(axis=0)
    shrunk_std = shrunk.std(axis=0)
    shrunk_scale = np.where(shrunk_std > 0, shrunk_std, 1.0 / magnitude)
    mean[huge] = shrunk_mean * magnitude
    scale[huge] = shrunk_scale * magnitude
    out[:, huge] = (shrunk - shrunk_mean) / shrunk_scale
    return out, {"mean": mean.tolist(), "std": scale.tolist()}


def apply_scaling(X: np.ndarray, scaling: dict[str, Any]) -> np.ndarray:
    """``X`` scaled with the mean and std that :func:`standardize` measured on other data."""
    mean = np.asarray(scaling["mean"], dtype=np.float64)
    std = np.asarray(scaling["std"], dtype=np.float64)
    if not X.size or not _huge_columns(X, mean.reshape(1, -1)).any():
        return (X - mean) / std
    return X / std - mean / std  # NOTE [huge columns]: the difference itself could overflow


INFORMATIVE_FEATURES = 10  # make_regression's default n_informative


def _gaussian_regression(
    n_samples: int, n_features: int, noise: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(X (m, n), y (m,))`` equal to ``make_regression``'s (NOTE [regression bits])."""
    stream = np.random.RandomState(seed)
    X = stream.standard_normal(size=(n_samples, n_features))
    coef = np.zeros((n_features, 1))
    informative = min(n_features, INFORMATIVE_FEATURES)
    coef[:informative, :] = 100 * stream.uniform(size=(informative, 1))
    y = np.dot(X, coef) + 0.0
    if noise > 0.0:
        y += stream.normal(scale=noise, size=y.shape)
    rows = np.arange(n_samples)
    stream.shuffle(rows)
    X, y = X[rows], y[rows]
    columns = np.arange(n_features)
    stream.shuffle(columns)
    X[:, :] = X[:, columns]
    return X, y.reshape(-1)


def regression_data(n_samples: int, n_features: int, *, noise: float, random_state: int) -> Dataset:
    """``make_regression(n_samples, n_features, noise, random_state)`` with standardised X.

    The same bits as scikit-learn's generator, drawn without importing it (NOTE [regression
    bits]). The targets stay as generated (no bias term: ``make_regression`` centres them at 0).
    """
    n_samples = check_positive_int("n_samples", n_samples)
    n_features = check_positive_int("n_features", n_features)
    noise = check_nonnegative_float("noise", noise)
    random_state = check_seed("data_seed", random_state, bits=32)
    X, y = _gaussian_regression(n_samples, n_features, noise, random_state)
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


def classification_data(
    n_samples: int, n_features: int, *, n_classes: int = 2, random_state: int
) -> Dataset:
    """``make_classification(n_samples, n_features, n_redundant=0, n_classes, random_state)``
    with standardised X and the class labels 0 … n_classes-1 as the target (m, 1)."""
    n_samples = check_positive_int("n_samples", n_samples)
    n_features = check_positive_int("n_features", n_features)
    n_classes = check_positive_int("n_classes", n_classes)
    random_state = check_seed("data_seed", random_state, bits=32)
    if n_classes < 2:
        raise InputValueError(f"n_classes must be an integer >= 2, got {n_classes}")
    if n_features < 2 or 2**n_features < 2 * n_classes:
        raise InputValueError(
            f"n_features must be >= 2 with 2**n_features >= 2*n_classes ({2 * n_classes}), "
            f"got {n_features}"
        )
    from sklearn.datasets import make_classification  # NOTE [regression bits]: on use only

    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=min(n_features, max(2, n_classes)),
        n_redundant=0,
        n_classes=n_classes,
        random_state=random_state,
    )
    X, scaling = standardize(X)
    return Dataset(
        X=X,
        y=y.reshape(-1, 1).astype(np.float64),
        feature_names=tuple(f"x{i}" for i in range(n_features)),
        target_name="class",
        source=(
            f"sklearn.datasets.make_classification(n_samples={n_samples}, "
            f"n_features={n_features}, n_redundant=0, n_classes={n_classes}, "
            f"random_state={random_state})"
        ),
        scaling=scaling,
    )


def friedman_data(n_samples: int, n_features: int, *, noise: float, random_state: int) -> Dataset:
    """``make_friedman1``: a nonlinear target for models a straight line cannot fit.

    The features are uniform on [0, 1] and y = 10·sin(π·x0·x1) + 20·(x2 − 0.5)² + 10·x3 + 5·x4
    plus Gaussian noise of standard deviation ``noise`` (about 5 is the spread of the noiseless
    target); columns past the fifth do not enter y. ``n_features`` must be at least 5. The
    features are returned unscaled (the train/validation split scales them, NOTE [split
    scaling]); the targets stay as generated.
    """
    n_samples = check_positive_int("n_samples", n_samples)
    n_features = check_positive_int("n_features", n_features)
    if n_features < 5:
        raise InputValueError(
            f"n_features must be at least 5 for make_friedman1 (its target uses five), "
            f"got {n_features}"
        )
    noise = check_nonnegative_float("noise", noise)
    random_state = check_seed("data_seed", random_state, bits=32)
    from sklearn.datasets import make_friedman1  # on use only

    X, y = make_friedman1(
        n_samples=n_samples, n_features=n_features, noise=noise, random_state=random_state
    )
    return Dataset(
        X=np.asarray(X, dtype=np.float64),
        y=np.asarray(y, dtype=np.float64).reshape(-1, 1),
        feature_names=tuple(f"x{i}" for i in range(n_features)),
        target_name="y",
        source=(
            f"sklearn.datasets.make_friedman1(n_samples={n_samples}, n_features={n_features}, "
            f"noise={noise}, random_state={random_state})"
        ),
    )
