"""NOTE [regression bits]: the built-in regression data are scikit-learn's ``make_regression``
bit for bit, drawn without importing scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_regression

from descentlab.data import regression_data
from descentlab.data.synthetic import _gaussian_regression, standardize
from descentlab.validation import InputValueError


@settings(max_examples=40, deadline=None)
@given(
    n_samples=st.integers(1, 60),
    n_features=st.integers(1, 15),
    noise=st.sampled_from([0.0, 0.5, 20.0]),
    seed=st.one_of(st.integers(0, 100), st.just(2**32 - 1)),
)
def test_the_generator_draws_make_regressions_bits(n_samples, n_features, noise, seed) -> None:
    X, y = _gaussian_regression(n_samples, n_features, noise, seed)
    X_sk, y_sk = make_regression(
        n_samples=n_samples, n_features=n_features, noise=noise, random_state=seed
    )
    assert X.tobytes() == X_sk.tobytes()
    assert y.tobytes() == np.asarray(y_sk, dtype=np.float64).reshape(-1).tobytes()


def test_the_spec_default_data_set_is_unchanged() -> None:
    """SPEC §2.1's data: make_regression(100, 1, noise=20, random_state=42), standardised."""
    data = regression_data(100, 1, noise=20.0, random_state=42)
    X_sk, y_sk = make_regression(n_samples=100, n_features=1, noise=20.0, random_state=42)
    X_std, scaling = standardize(X_sk)
    assert data.X.tobytes() == X_std.tobytes()
    assert data.y.tobytes() == y_sk.reshape(-1, 1).tobytes()
    assert data.scaling == scaling
    assert data.source == (
        "sklearn.datasets.make_regression(n_samples=100, n_features=1, noise=20.0, random_state=42)"
    )


def test_a_seed_the_legacy_generator_cannot_take_is_bad_input() -> None:
    with pytest.raises(
        InputValueError, match=r"data_seed must be an integer in \[0, 2\*\*32 - 1\]"
    ):
        regression_data(10, 1, noise=1.0, random_state=2**32)
