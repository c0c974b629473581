"""The seed material's calling convention: ``(weights, loss) = GD_onefeature(...)`` unpacks."""

from __future__ import annotations

import numpy as np
import pytest

import descentlab as dl


@pytest.mark.parametrize("backend", ["numpy", "torch", "tf"])
def test_gradient_descent_histories_unpack_as_weights_and_losses(backend: str, onefeature) -> None:
    x, y = onefeature
    history = dl.GD_onefeature(x, y, 20, 0.1, seed=0, backend=backend)
    (weights, loss) = dl.GD_onefeature(x, y, 20, 0.1, seed=0, backend=backend)
    assert len(weights) == len(loss) == 21 == history.epochs_run + 1
    np.testing.assert_array_equal(np.asarray(loss), np.asarray(history.losses))
    np.testing.assert_array_equal(np.asarray(weights), np.asarray(history.weights))
    assert float(loss[-1]) < float(loss[0])  # a learner plots weights against loss from here


@pytest.mark.parametrize("backend", ["numpy", "torch", "tf"])
def test_minibatch_histories_unpack_as_weights_and_batch_losses(backend: str, regression) -> None:
    X, y = regression
    weights, losses = dl.minibatchSGD(X, y, 10, 2, 0.05, seed=1, backend=backend)
    history = dl.minibatchSGD(X, y, 10, 2, 0.05, seed=1, backend=backend)
    assert len(losses) == history.steps == 12 and len(weights) == 13
    np.testing.assert_array_equal(np.asarray(losses), np.asarray(history.batch_losses))
