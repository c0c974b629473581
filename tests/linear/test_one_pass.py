"""The one-pass full-batch gradient against the plain formula -(2/m) Xᵀ(y - Xw)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from descentlab.linear.one_pass import full_batch_gradient

finite = st.floats(-100, 100, allow_nan=False, allow_infinity=False, width=64)


def plain(X, y, w):
    residual = y.reshape(-1, 1) - X @ w.reshape(-1, 1)
    return (-2.0 / len(X)) * (X.T @ residual), float(np.mean(residual**2))


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    m=st.integers(1, 40),
    n=st.integers(1, 6),
    block_rows=st.integers(1, 50),
)
def test_equals_the_plain_formula(data, m, n, block_rows):
    X = data.draw(arrays(np.float64, (m, n), elements=finite))
    y = data.draw(arrays(np.float64, (m, 1), elements=finite))
    w = data.draw(arrays(np.float64, (n, 1), elements=finite))
    grad, mse = full_batch_gradient(X, y, w, block_rows=block_rows)
    want_grad, want_mse = plain(X, y, w)
    scale = 2.0 * np.abs(X).T @ (np.abs(y) + np.abs(X) @ np.abs(w)) / m  # size of the terms summed
    np.testing.assert_allclose(grad, want_grad, rtol=0, atol=1e-12 * (1 + scale.max()))
    assert mse == pytest.approx(want_mse, rel=1e-12, abs=1e-12)
    assert grad.shape == (n, 1) and grad.dtype == np.float64


def test_float32_sums_in_blocks_then_float64():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200_000, 8), dtype=np.float32)
    y = rng.standard_normal(200_000, dtype=np.float32)
    w = rng.standard_normal(8).astype(np.float32)
    grad, mse = full_batch_gradient(X, y, w)
    exact, exact_mse = plain(X.astype(np.float64), y.astype(np.float64), w.astype(np.float64))
    assert grad.dtype == np.float32 and grad.shape == (8,)
    # A plain float32 running sum over 200k rows would be off by ~1e-3 relative.
    np.testing.assert_allclose(grad, exact.ravel(), rtol=1e-4, atol=1e-6)
    assert mse == pytest.approx(exact_mse, rel=1e-6)


def test_inputs_unchanged_and_checked():
    X, y, w = np.ones((3, 2)), np.ones(3), np.zeros(2)
    full_batch_gradient(X, y, w)
    assert (X == 1).all() and (y == 1).all() and (w == 0).all()
    with pytest.raises(ValueError, match=r"block_rows must be a positive integer, got 0"):
        full_batch_gradient(X, y, w, block_rows=0)
    with pytest.raises(ValueError, match=r"weight must have shape \(2, 1\)"):
        full_batch_gradient(X, y, np.zeros(3))
