"""NumPy (hand gradient), PyTorch (autograd) and TensorFlow (GradientTape) agree with each other
and with oracles: whole histories in float64 to rtol 1e-10, in float32 within a bound derived from
the problem (:func:`float32_gd_bound`)."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from descentlab.linear import numpy_backend as npb
from descentlab.linear import torch_backend as tb

AUTODIFF = ("torch", "tf")


@pytest.fixture(params=AUTODIFF)
def autodiff(request) -> ModuleType:
    """Each backend whose gradient a framework computes, checked against NumPy's hand gradient."""
    return tb if request.param == "torch" else request.getfixturevalue("tfb")


def float32_gd_bound(
    X: np.ndarray, y: np.ndarray, lrate: float, weights: np.ndarray
) -> tuple[float, float]:
    """``(weight gap, loss gap)`` two correct float32 GD histories may show, from the problem.

    One step rounds each sum of ``k`` products within ``k·eps`` of the sum of their magnitudes
    (any summation order), so two implementations' gradients ``(2/m)·Xᵀ(y - Xw)`` differ by at
    most ``γ·(2/m)·|X|ᵀ(|y| + |X||w|)`` with ``γ = (m + n + 2)·eps``, and their updates by
    ``eps·|w|`` more. A gap ``e`` in the weight is carried into the next step as
    ``(I - lrate·H) e`` with ``H = (2/m)·XᵀX``, shrinking by ``ρ = max|1 - lrate·λ(H)|`` (below 1
    for a stable rate; ``1/(1 - ρ)`` is the conditioning of the problem seen through the rate), so
    summed over every step the gap stays below ``per_step / (1 - ρ)``. The loss at weights that
    far apart differs by ``‖∇L‖₁·gap`` plus its own rounding, ``2γ·mean((|y| + |X||w|)²)``.
    """
    X, y = X.astype(np.float64), y.astype(np.float64)
    m, n = X.shape
    eps = float(np.finfo(np.float32).eps)
    gamma = (m + n + 2) * eps
    w_max = float(np.max(np.abs(weights)))
    magnitude = np.abs(y) + np.abs(X) @ np.full((n, 1), w_max)
    grad_rounding = float(np.max(gamma * (2 / m) * np.abs(X).T @ magnitude))
    per_step = lrate * grad_rounding + eps * w_max
    rho = float(np.max(np.abs(1 - lrate * np.linalg.eigvalsh(2 / m * X.T @ X))))
    assert rho < 1, "the bound holds for a stable rate only"
    weight_gap = per_step / (1 - rho)
    grad_size = float(np.max(np.abs((2 / m) * X.T) @ magnitude))  # |∇L|₁ per component, bounded
    loss_gap = n * grad_size * weight_gap + 2 * gamma * float(np.mean(magnitude**2))
    return weight_gap, loss_gap


def test_whole_gd_histories_agree_in_float64(regression, autodiff):
    X, y = regression
    a, b = npb.GD(X, y, 200, 0.05, seed=3), autodiff.GD(X, y, 200, 0.05, seed=3)
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-10, atol=0)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-10, atol=0)


def test_minibatch_histories_agree_in_float64(regression, autodiff):
    X, y = regression
    a = npb.minibatchSGD(X, y, 7, 5, 0.05, seed=11)
    b = autodiff.minibatchSGD(X, y, 7, 5, 0.05, seed=11)
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.batch_losses, b.batch_losses, rtol=1e-10)
    np.testing.assert_allclose(a.epoch_losses, b.epoch_losses, rtol=1e-10)


def test_onefeature_histories_agree_in_float64(onefeature, autodiff):
    x, y = onefeature
    a = npb.GD_onefeature(x, y, 60, 0.1, seed=5)
    b = autodiff.GD_onefeature(x, y, 60, 0.1, seed=5)
    assert np.shape(b.weights) == (61,)
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-10, atol=0)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-10, atol=0)
    sa = npb.minibatchSGD(x, y, 6, 3, 0.1, seed=2)
    sb = autodiff.minibatchSGD(x, y, 6, 3, 0.1, seed=2)
    np.testing.assert_allclose(sa.weights, sb.weights, rtol=1e-10, atol=0)
    np.testing.assert_allclose(sa.batch_losses, sb.batch_losses, rtol=1e-10)


def test_float32_agrees_within_the_derived_bound(regression, autodiff):
    X, y = (a.astype(np.float32) for a in regression)
    a, b = npb.GD(X, y, 100, 0.05), autodiff.GD(X, y, 100, 0.05)
    assert a.weights.dtype == np.float32 and b.weights.dtype == np.float32
    assert b.losses.dtype == np.float32
    weight_gap, loss_gap = float32_gd_bound(X, y, 0.05, a.weights)
    np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=weight_gap)
    np.testing.assert_allclose(a.losses, b.losses, rtol=0, atol=loss_gap)


def test_float32_minibatch_agrees_within_the_derived_bound(regression, autodiff):
    X, y = (a.astype(np.float32) for a in regression)
    a = npb.minibatchSGD(X, y, 15, 4, 0.05, seed=8)
    b = autodiff.minibatchSGD(X, y, 15, 4, 0.05, seed=8)
    assert b.weights.dtype == np.float32
    # each step descends one batch's least-squares problem: the bound is taken as the largest
    # over blocks of the batch size (a batch's rounding and contraction) and over all of X.
    gaps = [
        float32_gd_bound(X[i : i + 15], y[i : i + 15], 0.05, a.weights)[0] for i in (0, 15, 30, 45)
    ]
    gaps.append(float32_gd_bound(X, y, 0.05, a.weights)[0])
    np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=max(gaps))


def test_the_float32_bound_can_fail(regression):
    """The bound is tight enough to catch a gradient off by one part in a thousand."""
    X, y = (a.astype(np.float32) for a in regression)
    a, b = npb.GD(X, y, 100, 0.05), npb.GD(X, y, 100, 0.05 * (1 + 1e-3))
    weight_gap, _ = float32_gd_bound(X, y, 0.05, a.weights)
    assert np.max(np.abs(a.weights - b.weights)) > weight_gap


@pytest.mark.parametrize("name", ["numpy", *AUTODIFF])
def test_gd_converges_to_least_squares(regression, name, request):
    X, y = regression
    backend = {"numpy": npb, "torch": tb}.get(name) or request.getfixturevalue("tfb")
    history = backend.GD(X, y, 500, 0.2)
    np.testing.assert_allclose(history.final_weight, npb.least_squares(X, y), rtol=1e-8)
    assert history.losses[-1] == pytest.approx(float(npb.mse_loss(X, y, history.final_weight)))


def test_least_squares_backends_agree_with_normal_equations(regression, autodiff):
    X, y = regression
    normal = np.linalg.solve(X.T @ X, X.T @ y)
    np.testing.assert_allclose(npb.least_squares(X, y), normal, rtol=1e-10)
    np.testing.assert_allclose(autodiff.least_squares(X, y), normal, rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(1, 30),
    n=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
    lrate=st.floats(1e-3, 2.0),
)
def test_gradient_matches_central_differences(tfb, m, n, seed, lrate):
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
    for backend in (tb, tfb):
        other_w, other_loss = backend.gradient_step(X, y, w, lrate)
        np.testing.assert_allclose(other_w, new_w, rtol=1e-10, atol=1e-12)
        assert other_loss == pytest.approx(loss, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    x=arrays(np.float64, st.tuples(st.integers(1, 20), st.just(1)), elements=st.floats(-50, 50)),
    weight=st.floats(-10, 10),
    lrate=st.floats(1e-4, 1.0),
)
def test_onefeature_equals_formula(tfb, x, weight, lrate):
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
    tf_w, tf_loss = tfb.gradient_step_onefeature(x, y, weight, lrate)
    assert np.ndim(tf_w) == 0 and np.ndim(tf_loss) == 0
    assert float(tf_w) == pytest.approx(float(new_w), rel=1e-10, abs=1e-9)
    assert float(tf_loss) == pytest.approx(float(loss), rel=1e-10, abs=1e-10)


def test_early_stopping_rule(regression, tfb):
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
    for backend in (tb, tfb):
        other = backend.GD_early_stopping(X, y, 0.1)
        assert other.epochs_run == history.epochs_run and other.converged is True
