"""Training data by name or path: built-in synthetic sets, scikit-learn's bundled ones, files."""

from __future__ import annotations

from pathlib import Path

from descentlab.data.bundled import BUNDLED, bundled_data
from descentlab.data.dataset import Dataset
from descentlab.data.files import SUFFIXES, load_file
from descentlab.data.synthetic import classification_data, regression_data
from descentlab.validation import InputValueError

__all__ = ["DATASETS", "dataset_task", "training_dataset"]

SYNTHETIC = {"regression": "regress", "classification": "classify"}
DATASETS: tuple[str, ...] = (*SYNTHETIC, *BUNDLED)


def dataset_task(name: str) -> str | None:
    """The task a named data set is made for (``regress`` or ``classify``); None for a file."""
    if name in SYNTHETIC:
        return SYNTHETIC[name]
    if name in BUNDLED:
        return BUNDLED[name][1]
    return None


def training_dataset(
    name: str,
    *,
    target: str = "",
    n_samples: int = 1000,
    n_features: int = 20,
    n_classes: int = 2,
    noise: float = 0.1,
    data_seed: int = 42,
) -> Dataset:
    """Unscaled data for training (the split scales it, NOTE [split scaling]).

    ``name`` is ``regression`` (make_regression), ``classification`` (make_classification with
    ``n_classes``), a bundled set (``digits``, ``breast_cancer``, ``wine``, ``diabetes``) or a
    path to a .csv/.parquet/.npy file whose ``target`` column is the label (default: the last).
    """
    if not isinstance(name, str) or not name:
        raise InputValueError(f"dataset must be a name or a file path, got {name!r}")
    is_file = Path(name).suffix.lower() in SUFFIXES
    if target and not is_file:
        raise InputValueError(
            f"target must come with a data file, got target {target!r} for {name!r}"
        )
    if is_file:
        return load_file(name, target=target, standardize_features=False)
    if name == "regression":
        data = regression_data(n_samples, n_features, noise=noise, random_state=data_seed)
    elif name == "classification":
        data = classification_data(
            n_samples, n_features, n_classes=n_classes, random_state=data_seed
        )
    elif name in BUNDLED:
        return bundled_data(name, standardize_features=False)
    else:
        choices = ", ".join(repr(n) for n in DATASETS)
        raise InputValueError(
            f"dataset must be one of {choices} or a {'/'.join(SUFFIXES)} file, got {name!r}"
        )
    return data
