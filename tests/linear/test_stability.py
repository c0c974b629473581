from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab.linear import numpy_backend as npb
from descentlab.linear.stability import classify_run, stability_bound


def _run(x, y, lrate, epochs=100):
    h = npb.GD_onefeature(x, y, epochs, lrate, seed=0)
    w_star = npb.least_squares(x, y)
    opt = float(np.mean((y - x @ w_star) ** 2))
    return classify_run(x, h.weights, h.losses, w_star, opt, diverged=h.status == "diverged")


def test_bound_is_two_over_largest_hessian_eigenvalue(onefeature):
    x, _ = onefeature
    assert stability_bound(x) == pytest.approx(2 / (2 * np.mean(x**2)))
    assert stability_bound(np.zeros((4, 1))) is None


def test_behaviours_follow_the_bound(onefeature):
    x, y = onefeature
    bound = stability_bound(x)
    assert _run(x, y, 0.3 * bound).label == "converges"
    assert _run(x, y, 0.001 * bound).label == "too slow"
    oscillating = _run(x, y, 0.8 * bound)
    assert oscillating.label == "oscillates" and oscillating.converged
    assert _run(x, y, 1.2 * bound).label == "diverges"


@settings(max_examples=25, deadline=None)
@given(factor=st.floats(1.05, 1.9), seed=st.integers(0, 1000))
def test_rates_above_the_bound_always_diverge(factor, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((30, 1))
    y = 3 * x + rng.standard_normal((30, 1))
    assert _run(x, y, factor * stability_bound(x), epochs=60).label == "diverges"
