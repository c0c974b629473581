"""The compiled fast path against the NumPy reference (same seed, same trajectory) and oracles."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab.linear import fast_backend as fast
from descentlab.linear import numpy_backend as npb
from descentlab.linear.fast_backend import CompiledSGD
from descentlab.linear.initial import batch_rng, initial_weight

EPS32 = float(np.finfo(np.float32).eps)


def assert_same_history(ref, got, *, rtol=1e-10, atol=1e-12):
    assert got.status == ref.status and got.diverged_at == ref.diverged_at
    assert got.steps_per_epoch == ref.steps_per_epoch and got.steps == ref.steps
    assert got.weights.shape == ref.weights.shape and got.weights.dtype == ref.weights.dtype
    np.testing.assert_allclose(got.weights, ref.weights, rtol=rtol, atol=atol)
    np.testing.assert_allclose(got.batch_losses, ref.batch_losses, rtol=rtol, atol=atol)
    np.testing.assert_allclose(got.epoch_losses, ref.epoch_losses, rtol=rtol, atol=atol)


@pytest.mark.parametrize(
    ("batch_size", "drop_last", "shuffle"),
    [(1, False, True), (7, False, True), (7, True, True), (7, False, False), (60, False, True),
     (100, False, True)],
)  # fmt: skip
def test_same_trajectory_as_the_reference(regression, batch_size, drop_last, shuffle):
    X, y = regression
    args = (X, y, batch_size, 4, 0.05)
    kw = {"seed": 11, "drop_last": drop_last, "shuffle": shuffle}
    assert_same_history(npb.minibatchSGD(*args, **kw), fast.minibatchSGD(*args, **kw))


def test_float32_stays_float32_and_agrees(regression):
    X, y = (a.astype(np.float32) for a in regression)
    ref, got = (
        npb.minibatchSGD(X, y, 5, 3, 0.05, seed=2),
        fast.minibatchSGD(X, y, 5, 3, 0.05, seed=2),
    )
    assert got.weights.dtype == got.batch_losses.dtype == np.float32
    assert_same_history(ref, got, rtol=100 * EPS32, atol=100 * EPS32)


@settings(max_examples=30, deadline=None)
@given(
    m=st.integers(1, 25),
    n=st.integers(1, 4),
    extra=st.integers(0, 30),
    epochs=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
    drop_last=st.booleans(),
)
def test_any_shape_and_batch_size_matches_the_reference(m, n, extra, epochs, seed, drop_last):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((m, n)), rng.standard_normal((m, 1))
    batch_size = 1 + extra % (m + 2)
    if drop_last and batch_size > m:
        drop_last = False
    kw = {"seed": seed, "drop_last": drop_last}
    ref = npb.minibatchSGD(X, y, batch_size, epochs, 0.02, **kw)
    assert_same_history(ref, fast.minibatchSGD(X, y, batch_size, epochs, 0.02, **kw))


def test_full_batch_is_gradient_descent(regression):
    X, y = regression
    gd = npb.GD(X, y, 30, 0.1, seed=5)
    full = fast.minibatchSGD(X, y, len(X), 30, 0.1, seed=5)
    np.testing.assert_allclose(full.weights, gd.weights, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(full.epoch_losses, gd.losses, rtol=1e-12)
    np.testing.assert_allclose(fast.GD(X, y, 30, 0.1, seed=5).weights, gd.weights, rtol=1e-12)


def test_divergence_stops_where_the_reference_does(regression):
    X, y = regression
    for batch_size in (1, 7, len(X)):
        ref = npb.minibatchSGD(X, y, batch_size, 200, 1e3, seed=1)
        got = fast.minibatchSGD(X, y, batch_size, 200, 1e3, seed=1)
        assert ref.status == "diverged"
        assert_same_history(ref, got, rtol=1e-6, atol=0)


def test_epoch_records_keep_every_epoch_end(regression):
    X, y = regression
    every = fast.minibatchSGD(X, y, 7, 4, 0.05, seed=3)
    ends = fast.minibatchSGD(X, y, 7, 4, 0.05, seed=3, record="epoch")
    assert ends.record_every == every.steps_per_epoch == 9 and every.record_every == 1
    np.testing.assert_array_equal(ends.weights, every.weights[:: every.steps_per_epoch])
    np.testing.assert_array_equal(ends.batch_losses, every.batch_losses)
    with pytest.raises(ValueError, match=r"record must be one of .*'step'.*, got 'batch'"):
        fast.minibatchSGD(X, y, 7, 4, 0.05, record="batch")


def test_epoch_by_epoch_continues_the_same_run(regression):
    X, y = regression
    whole = fast.minibatchSGD(X, y, 8, 3, 0.05, seed=4, record="epoch")
    sgd = CompiledSGD(X, y.ravel(), initial_weight(4, 4).ravel(), 8, 0.05, batch_rng(4))
    ends = [sgd.epoch().batch_losses for _ in range(3)]
    np.testing.assert_array_equal(np.concatenate(ends), whole.batch_losses)
    np.testing.assert_array_equal(sgd.weight, whole.weights[-1].ravel())


def test_inputs_are_not_modified_and_errors_match_the_reference(regression):
    X, y = regression
    X_before, y_before, w = X.copy(), y.copy(), np.ones((4, 1))
    fast.minibatchSGD(X, y, 3, 2, 0.05, initial_weight=w)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(w, np.ones((4, 1)))
    for bad, message in [
        ({"batch_size": 0}, r"batch_size must be a positive integer, got 0"),
        ({"lrate": -1.0}, r"lrate must be a finite positive number, got -1.0"),
        ({"epochs": 0}, r"epochs must be a positive integer, got 0"),
    ]:
        args = {"batch_size": 3, "epochs": 2, "lrate": 0.1} | bad
        with pytest.raises(ValueError, match=message):
            npb.minibatchSGD(X, y, **args)
        with pytest.raises(ValueError, match=message):
            fast.minibatchSGD(X, y, **args)


def test_gradient_step_matches_the_reference(regression):
    X, y = regression
    w = np.linspace(-1, 1, 4).reshape(4, 1)
    (new_ref, mse_ref), (new_fast, mse_fast) = (
        npb.gradient_step(X, y, w, 0.1),
        fast.gradient_step(X, y, w, 0.1),
    )
    np.testing.assert_allclose(new_fast, new_ref, rtol=1e-12)
    assert float(mse_fast) == pytest.approx(float(mse_ref), rel=1e-12)
