"""Data sets: the built-in synthetic ones and the user's own files."""

from descentlab.data.dataset import Dataset
from descentlab.data.files import load_file
from descentlab.data.synthetic import regression_data, standardize

__all__ = ["Dataset", "load_file", "regression_data", "standardize"]
