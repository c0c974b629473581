"""The small real data sets that ship inside scikit-learn (read from its package, no download)."""

from __future__ import annotations

import numpy as np

from descentlab.data.dataset import Dataset
from descentlab.data.synthetic import standardize
from descentlab.validation import check_choice

__all__ = ["BUNDLED", "bundled_data"]

# name → (scikit-learn loader, the task its target suits)
BUNDLED: dict[str, tuple[str, str]] = {
    "digits": ("load_digits", "classify"),
    "breast_cancer": ("load_breast_cancer", "classify"),
    "wine": ("load_wine", "classify"),
    "diabetes": ("load_diabetes", "regress"),
}


def bundled_data(name: str, *, standardize_features: bool = True) -> Dataset:
    """``sklearn.datasets.load_<name>()`` as a :class:`Dataset`; target (m, 1) float64.

    digits: 1797 × 64, 10 classes; breast_cancer: 569 × 30, 2 classes; wine: 178 × 13, 3 classes;
    diabetes: 442 × 10, a numeric target.
    """
    check_choice("dataset", name, list(BUNDLED))
    from sklearn import datasets as sk_datasets  # on use only: the catalog above needs no sklearn

    loader = getattr(sk_datasets, BUNDLED[name][0])
    bunch = loader()
    X = np.asarray(bunch.data, dtype=np.float64)
    names = getattr(bunch, "feature_names", None)
    feature_names = tuple(str(n) for n in names) if names is not None else ()
    scaling: dict = {}
    if standardize_features:
        X, scaling = standardize(X)
    return Dataset(
        X=X,
        y=np.asarray(bunch.target, dtype=np.float64).reshape(-1, 1),
        feature_names=feature_names or tuple(f"x{i}" for i in range(X.shape[1])),
        target_name="target",
        source=f"sklearn.datasets.{BUNDLED[name][0]}()",
        scaling=scaling,
    )
