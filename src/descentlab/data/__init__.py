"""Data sets: the built-in synthetic ones, scikit-learn's bundled ones and the user's own files."""

from descentlab.data.bundled import BUNDLED, bundled_data
from descentlab.data.catalog import DATASETS, dataset_task, training_dataset
from descentlab.data.dataset import Dataset
from descentlab.data.files import load_file
from descentlab.data.split import split_dataset
from descentlab.data.synthetic import (
    apply_scaling,
    classification_data,
    friedman_data,
    regression_data,
    standardize,
)

__all__ = [
    "BUNDLED",
    "DATASETS",
    "Dataset",
    "apply_scaling",
    "bundled_data",
    "classification_data",
    "dataset_task",
    "friedman_data",
    "load_file",
    "regression_data",
    "split_dataset",
    "standardize",
    "training_dataset",
]
