"""A seeded train/validation split, with the features scaled by the training part alone.

NOTE [split scaling]: the validation part must not leak into training, so the mean and standard
deviation used to standardise features (and, for regression, the target) are measured on the
training rows only and then applied to both parts.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from descentlab.data.dataset import Dataset
from descentlab.data.synthetic import apply_scaling, standardize
from descentlab.validation import InputValueError, check_seed, check_unit_interval

__all__ = ["split_dataset"]


def split_dataset(
    data: Dataset,
    val_fraction: float,
    *,
    seed: int,
    scale_features: bool = True,
    scale_target: bool = False,
) -> tuple[Dataset, Dataset | None, dict[str, Any]]:
    """``(train, validation, scaling)``: a random ``val_fraction`` of the rows is held out.

    The rows are permuted by ``numpy.random.default_rng(seed)``; ``val_fraction = 0`` keeps every
    row for training (validation is None). ``scaling`` holds the training-part ``features`` and
    ``target`` statistics that were applied (NOTE [split scaling]).
    """
    val_fraction = check_unit_interval("val_fraction", val_fraction)
    seed = check_seed("seed", seed)
    m = data.n_samples
    n_val = round(val_fraction * m)
    if val_fraction > 0 and not 1 <= n_val <= m - 1:
        raise InputValueError(
            f"val_fraction must leave at least one sample in each part of the {m} samples, "
            f"got {val_fraction!r}"
        )
    order = np.random.default_rng(seed).permutation(m)
    train_rows, val_rows = np.sort(order[n_val:]), np.sort(order[:n_val])
    X_train, y_train = data.X[train_rows], data.y[train_rows]
    X_val, y_val = data.X[val_rows], data.y[val_rows]
    scaling: dict[str, Any] = {}
    if scale_features:
        X_train, scaling["features"] = standardize(X_train)
        X_val = apply_scaling(X_val, scaling["features"])
    if scale_target:
        y_train, scaling["target"] = standardize(y_train)
        y_val = apply_scaling(y_val, scaling["target"])
    train = dataclasses.replace(data, X=X_train, y=y_train, scaling=scaling)
    if n_val == 0:
        return train, None, scaling
    return train, dataclasses.replace(data, X=X_val, y=y_val, scaling=scaling), scaling
