"""Training data: built-in and bundled sets, and the seeded split scaled by training rows only."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.data import (
    BUNDLED,
    classification_data,
    dataset_task,
    split_dataset,
    training_dataset,
)


@pytest.mark.parametrize(
    ("name", "shape", "classes"),
    [("digits", (1797, 64), 10), ("breast_cancer", (569, 30), 2), ("wine", (178, 13), 3)],
)
def test_bundled_classification_sets(name, shape, classes):
    data = training_dataset(name)
    assert data.X.shape == shape and data.y.shape == (shape[0], 1)
    assert np.unique(data.y).size == classes
    assert dataset_task(name) == BUNDLED[name][1] == "classify"


def test_diabetes_and_synthetic():
    assert training_dataset("diabetes").X.shape == (442, 10)
    assert dataset_task("diabetes") == "regress"
    data = classification_data(200, 5, n_classes=3, random_state=0)
    assert sorted(np.unique(data.y).tolist()) == [0.0, 1.0, 2.0]
    assert training_dataset("regression", n_samples=50, n_features=3).X.shape == (50, 3)


def test_split_is_seeded_and_scaled_by_training_rows():
    data = training_dataset("diabetes")
    train, val, scaling = split_dataset(data, 0.25, seed=3, scale_target=True)
    again, _, _ = split_dataset(data, 0.25, seed=3, scale_target=True)
    other, _, _ = split_dataset(data, 0.25, seed=4, scale_target=True)
    assert train.n_samples + val.n_samples == 442 and val.n_samples == 110
    assert np.array_equal(train.X, again.X) and not np.array_equal(train.X, other.X)
    np.testing.assert_allclose(train.X.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(train.X.std(0), 1, rtol=1e-12)
    np.testing.assert_allclose(train.y.mean(), 0, atol=1e-12)
    assert abs(val.X.mean()) > 1e-6  # validation rows scaled with the training statistics
    assert set(scaling) == {"features", "target"}


def test_split_without_validation():
    data = training_dataset("wine")
    train, val, _ = split_dataset(data, 0.0, seed=0)
    assert val is None and train.n_samples == 178


def test_file_dataset(tmp_path):
    rng = np.random.default_rng(0)
    table = np.column_stack([rng.normal(size=(30, 2)), rng.integers(0, 2, 30)])
    path = tmp_path / "d.npy"
    np.save(path, table)
    data = training_dataset(str(path))
    assert data.X.shape == (30, 2) and data.sha256
    np.testing.assert_array_equal(data.X, table[:, :2])  # unscaled: the split scales it


@pytest.mark.parametrize(
    ("write", "reason"),
    [
        (lambda path: path.write_bytes(b"junk"), ""),
        (
            lambda path: np.save(path, np.array([["a", 1]] * 3, dtype=object), allow_pickle=True),
            "Object arrays cannot be loaded",
        ),
    ],
)
def test_unreadable_npy_file_is_refused_naming_it(tmp_path, write, reason):
    path = tmp_path / "data.npy"
    write(path)
    with pytest.raises(ValueError) as caught:
        training_dataset(str(path))
    message = str(caught.value)
    assert message.startswith(f"data must be a readable .npy file, got {path}: ")
    assert reason in message
