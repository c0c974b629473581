"""NumPy (hand gradient) and PyTorch (autograd) agree with each other and with oracles."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from descentlab.linear import numpy_backend as npb
from descentlab.linear import torch_backend as tb


def test_whole_gd_histories_agree_in_float64(regression):
    X, y = regression
    a, b = npb.GD(X, y, 200, 0.05, seed=3), tb.GD(X, y, 200, 0.05, seed=3)
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-10, atol=0)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-10, atol=0)


def test_minibatch_histories_agree_in_float64(regression):
    X, y = regression
    a = npb.minibatchSGD(X, y, 7, 5, 0.05, seed=11)
    b = tb.minibatchSGD(X, y, 7, 5, 0.05, seed=11)
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.batch_losses, b.batch_losses, rtol=1e-10)
    np.testing.assert_allclose(a.epoch_losses, b.epoch_losses, rtol=1e-10)


def test_float32_agrees_within_float32_rounding(regression):
    X, y = (a.astype(np.float32) for a in regression)
    a, b = npb.GD(X, y, 100, 0.05), tb.GD(X, y, 100, 0.05)
    assert a.weights.dtype == np.float32 and b.weights.dtype == np.float32
    eps = np.finfo(np.float32).eps
    np.testing.assert_allclose(a.weights, b.weights, rtol=200 * eps, atol=200 * eps)
    np.testing.assert_allclose(a.losses, b.losses, rtol=200 * eps)


@pytest.mark.parametrize("backend", [npb, tb])
def test_gd_converges_to_least_squares(regression, backend):
    X, y = regression
    history = backend.GD(X, y, 500, 0.2)
    np.testing.assert_allclose(history.final_weight, npb.least_squares(X, y), rtol=1e-8)
    assert history.losses[-1] == pytest.approx(float(npb.mse_loss(X, y, history.final_weight)))


def test_least_squares_backends_agree_with_normal_equations(regression):
    X, y = regression
    normal = np.linalg.solve(X.T @ X, X.T @ y)
    np.testing.assert_allclose(npb.least_squares(X, y), normal, rtol=1e-10)
    np.testing.assert_allclose(tb.least_squares(X, y), normal, rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(1, 30),
    n=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
    lrate=st.floats(1e-3, 2.0),
)
def test_gradient_matches_central_differences(m, n, seed, lrate):
    rng = np.random.default_rng(seed)
    X, y, w = rng.normal(size=(m, n)), rng.normal(size=(m, 1)), rng.normal(size=(n, 1))
    new_w, loss = npb.gradient_step(X, y, w, lrate)
    grad = (w - new_w) / lrate
    h = 1e-6
    numeric = np.empty_like(w)
    for i in range(n):
        e = np.zeros_like(w)
        e[i] = h
        numeric[i] = (npb.mse_loss(X, y, w + e) - npb.mse_loss(X, y, w - e)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)
    assert loss == pytest.approx(np.mean((y - X @ w) ** 2), rel=1e-12)
    torch_w, torch_loss = tb.gradient_step(X, y, w, lrate)
    np.testing.assert_allclose(torch_w, new_w, rtol=1e-10, atol=1e-12)
    assert torch_loss == pytest.approx(loss, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    x=arrays(np.float64, st.tuples(st.integers(1, 20), st.just(1)), elements=st.floats(-50, 50)),
    weight=st.floats(-10, 10),
    lrate=st.floats(1e-4, 1.0),
)
def test_onefeature_equals_formula(x, weight, lrate):
    y = 0.5 * x + 1.0
    new_w, loss = npb.gradient_step_onefeature(x, y, weight, lrate)
    m = len(x)
    expected_loss = np.mean((y - x * weight) ** 2)
    expected_w = weight - lrate * (-2.0 / m) * np.sum(x * (y - x * weight))
    assert loss == pytest.approx(expected_loss, rel=1e-12, abs=1e-12)
    assert new_w == pytest.approx(expected_w, rel=1e-10, abs=1e-9)
    torch_w, torch_loss = tb.gradient_step_onefeature(
        torch.from_numpy(x), torch.from_numpy(y), torch.tensor(weight, dtype=torch.float64), lrate
    )
    assert float(torch_w) == pytest.approx(float(new_w), rel=1e-10, abs=1e-9)
    assert float(torch_loss) == pytest.approx(float(loss), rel=1e-10, abs=1e-10)


def test_early_stopping_rule(regression):
    X, y = regression
    history = npb.GD_early_stopping(X, y, 0.1)
    assert history.converged is True
    last, before = history.losses[-1], history.losses[-2]
    assert abs(last - before) <= 1e-6 * abs(before)
    earlier = history.losses[:-1]
    gaps = np.abs(np.diff(earlier)) > 1e-6 * np.abs(earlier[:-1])
    assert gaps.all(), "stopped at the first pair within tolerance, not later"
    capped = npb.GD_early_stopping(X, y, 1e-4, max_iter=200)
    assert capped.converged is False and capped.epochs_run == 200
    torch_history = tb.GD_early_stopping(X, y, 0.1)
    assert torch_history.epochs_run == history.epochs_run
