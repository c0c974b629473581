"""The ramp, the smoothing and the suggestion rule (NumPy, no model)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab.lrfind import exponential_ramp, smooth, smooth_two_way, suggest_lrate


@settings(max_examples=30, deadline=None)
@given(
    low=st.floats(1e-8, 1.0),
    ratio=st.floats(1.5, 1e6),
    steps=st.integers(2, 300),
)
def test_ramp_is_exponential_between_exact_ends(low, ratio, steps):
    rates = exponential_ramp(low, low * ratio, steps)
    assert len(rates) == steps and rates[0] == low and rates[-1] == low * ratio
    factors = rates[1:] / rates[:-1]
    np.testing.assert_allclose(factors, ratio ** (1 / (steps - 1)), rtol=1e-9)


def test_smoothing_is_the_bias_corrected_average():
    losses = np.array([4.0, 2.0, 3.0, 1.0])
    beta = 0.8
    average, expected = 0.0, []
    for i, loss in enumerate(losses):
        average = beta * average + (1 - beta) * loss
        expected.append(average / (1 - beta ** (i + 1)))
    np.testing.assert_allclose(smooth(losses, beta), expected, rtol=1e-15)
    np.testing.assert_allclose(smooth(np.full(50, 3.0), 0.98), 3.0, rtol=1e-12)  # no pull to 0
    np.testing.assert_array_equal(smooth(losses, 0.0), losses)


def test_two_way_smoothing_has_no_lag():
    spike = np.zeros(400)
    spike[200] = 1.0
    steps = np.arange(400)
    forward, both = smooth(spike, 0.9), smooth_two_way(spike, 0.9)
    assert (forward * steps).sum() / forward.sum() == pytest.approx(209, abs=0.5)  # β/(1−β) late
    assert (both * steps).sum() / both.sum() == pytest.approx(200, abs=1e-4)
    assert int(np.argmax(both)) == 200
    np.testing.assert_allclose(both[190:200], both[201:211][::-1], rtol=1e-6)
    np.testing.assert_allclose(smooth_two_way(np.full(30, 2.0), 0.9), 2.0, rtol=1e-12)
    tail = smooth_two_way(np.array([3.0, 2.0, 1.0, np.inf, 5.0]), 0.5)
    assert np.isfinite(tail[:3]).all() and np.isnan(tail[3:]).all()


def test_suggestion_is_the_steepest_relative_fall_before_the_minimum():
    lrates = np.logspace(-4, 1, 51)
    # loss = 1 / (1 + (lr/0.01)^2) + blow-up past lr = 1: steepest log-log fall is past 0.01
    loss = 1 / (1 + (lrates / 0.01) ** 2) + 0.001 + (lrates > 1) * (lrates - 1) * 100
    suggestion = suggest_lrate(lrates, loss)
    slope = np.gradient(np.log(loss), np.log(lrates))
    best = int(np.argmin(loss))
    assert suggestion == lrates[int(np.argmin(slope[: best + 1]))]
    assert 0.01 <= suggestion < 1


def test_no_suggestion_when_the_loss_never_falls():
    lrates = np.logspace(-3, 0, 10)
    assert suggest_lrate(lrates, np.linspace(1, 2, 10)) is None
    assert suggest_lrate(lrates[:1], np.ones(1)) is None
    with_nan = np.array([1.0, 0.5, 0.2, np.nan, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0])
    assert suggest_lrate(lrates, with_nan) in lrates[:3]  # only the finite prefix counts


def test_negative_losses_use_the_plain_slope():
    lrates = np.logspace(-3, 0, 6)
    assert suggest_lrate(lrates, np.array([0.0, -0.1, -0.2, -1.0, -1.1, -1.15])) == lrates[3]


@pytest.mark.parametrize(
    ("args", "error", "needle"),
    [
        ((0.0, 1.0, 10), ValueError, "min_lr must be a finite positive number, got 0.0"),
        ((1e-3, 1e-4, 10), ValueError, r"max_lr must be greater than min_lr \(0.001\), got 0.0001"),
        ((1e-3, 1.0, 1), ValueError, "num_steps must be an integer >= 2, got 1"),
        ((1e-3, 1.0, 2.5), TypeError, "num_steps must be an integer >= 2, got 2.5"),
        ((True, 1.0, 10), TypeError, r"min_lr must be a finite positive number, got True \(bool\)"),
        ((1e-3, float("inf"), 10), ValueError, "max_lr must be a finite positive number, got inf"),
    ],
)
def test_ramp_bad_arguments(args, error, needle):
    with pytest.raises(error, match=needle):
        exponential_ramp(*args)


def test_docstring_examples():
    from descentlab.lrfind import range_test

    assert doctest.testmod(range_test, raise_on_error=True).attempted > 0


def test_other_bad_arguments():
    with pytest.raises(ValueError, match=r"smoothing must be a number in \[0, 1\), got 1.0"):
        smooth(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="lrates and smoothed must be 1-D of one length"):
        suggest_lrate(np.ones(3), np.ones(4))
