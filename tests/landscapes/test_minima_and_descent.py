"""Locating the minima of x·cos(πx), GD runs on it, basin labels, optimizers on surfaces."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab.landscapes import (
    X_COS_PI_X,
    Minimum,
    basin_labels,
    descend_curve,
    descend_surface,
    find_minima,
    get_surface,
    narrow_valley,
    refine_root,
)
from descentlab.optim import make_optimizer, sgd

PUBLISHED = {"local": (-0.274, -0.179), "global": (1.090, -1.047)}  # SPEC §2.8


def test_two_minima_match_the_published_figures_and_f_prime_is_zero():
    local, global_ = find_minima(X_COS_PI_X)
    for found, (x, f) in ((local, PUBLISHED["local"]), (global_, PUBLISHED["global"])):
        assert found.x == pytest.approx(x, abs=1e-3) and found.f == pytest.approx(f, abs=1e-3)
        assert abs(X_COS_PI_X.derivative(np.float64(found.x))) < 1e-9
        assert X_COS_PI_X.second_derivative(np.float64(found.x)) > 0
        assert found.f == X_COS_PI_X.value(np.float64(found.x))


def test_refine_root_needs_a_sign_change():
    with pytest.raises(ValueError, match="bracket must have f' of opposite signs"):
        refine_root(X_COS_PI_X, 1.5, 2.0)
    root = refine_root(X_COS_PI_X, 0.0, 0.5)  # the maximum between the basins
    assert abs(X_COS_PI_X.derivative(np.float64(root))) < 1e-12
    assert X_COS_PI_X.second_derivative(np.float64(root)) < 0


def test_descend_curve_equals_the_naive_loop():
    starts, lrates = np.array([-0.9, 0.2, 1.7]), np.array([0.05, 0.3])
    runs = descend_curve(X_COS_PI_X, starts, lrates, steps=40)
    assert runs.paths.shape == (41, 6)
    np.testing.assert_array_equal(runs.starts, np.tile(starts, 2))
    np.testing.assert_array_equal(runs.lrates, np.repeat(lrates, 3))
    for j in range(6):
        x, expected = runs.starts[j], [runs.starts[j]]
        for _ in range(40):
            x = x - runs.lrates[j] * (np.cos(np.pi * x) - np.pi * x * np.sin(np.pi * x))
            expected.append(x)
        np.testing.assert_array_equal(runs.path(j), expected)
        assert runs.final_x[j] == expected[-1] and not runs.escaped[j]


def test_a_run_leaving_the_domain_stops_there():
    runs = descend_curve(X_COS_PI_X, np.array([1.5]), np.array([2.0]), steps=30)
    path = runs.path(0)
    assert runs.escaped[0] and not -1 <= path[-1] <= 2
    assert np.all((path[:-1] >= -1) & (path[:-1] <= 2))
    assert np.isnan(runs.paths[len(path) :, 0]).all() and runs.final_x[0] == path[-1]


def test_basin_labels_follow_the_note():
    local, global_ = Minimum(-0.27, -0.18), Minimum(1.09, -1.05)
    labels = basin_labels(
        np.array([-0.2705, 1.0899, 0.5, 5.0, np.nan, 1.0]),
        np.array([False, False, False, True, False, False]),
        local,
        global_,
        tolerance=1e-3,
    )
    assert labels == ["local", "global", "none", "diverged", "diverged", "none"]
    with pytest.raises(ValueError, match="tolerance must be a finite positive number"):
        basin_labels(np.zeros(1), np.zeros(1, bool), local, global_, tolerance=0)


def test_small_rates_reach_the_minimum_on_their_side():
    local, global_ = find_minima(X_COS_PI_X)
    starts = np.array([-0.8, 0.0, 0.4, 1.9])
    runs = descend_curve(X_COS_PI_X, starts, np.array([0.02]), steps=500)
    labels = basin_labels(runs.final_x, runs.escaped, local, global_, tolerance=1e-6)
    assert labels == ["local", "local", "global", "global"]


def test_sgd_on_the_valley_is_the_matrix_power():
    valley = narrow_valley()
    lrate = valley.lrate
    run = descend_surface(valley, sgd(lr=lrate), steps=25)
    matrix = np.array([valley.gradient(e) for e in np.eye(2)]).T  # A, column by column
    expected = np.linalg.matrix_power(np.eye(2) - lrate * matrix, 25) @ np.array(valley.start)
    np.testing.assert_allclose(run.points[-1], expected, rtol=1e-10, atol=1e-14)
    assert run.points.shape == (26, 2) and not run.left_box
    np.testing.assert_allclose(run.values, valley.value(run.points))


def test_the_saddle_is_escaped_and_the_run_cut_off():
    saddle = get_surface("saddle")
    run = descend_surface(saddle, make_optimizer("adam", lr=0.05), steps=1000)
    assert run.left_box and len(run.points) < 1001
    assert abs(run.points[-1, 1]) > 2  # escaped along y, beyond the plotted box


def test_momentum_beats_gd_on_rosenbrock():
    surface = get_surface("rosenbrock")
    plain = descend_surface(surface, make_optimizer("sgd", lr=1e-3), steps=500)
    heavy = descend_surface(surface, make_optimizer("momentum", lr=1e-3), steps=500)
    assert heavy.values[-1] < 0.01 < plain.values[-1]


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"steps": 0}, ValueError, "steps must be a positive integer, got 0"),
        ({"steps": 5, "start": (1.0, 2.0, 3.0)}, ValueError, r"start must be a point \(x, y\)"),
        ({"steps": 5, "start": (np.nan, 0.0)}, ValueError, "start must contain only finite"),
    ],
)
def test_descend_surface_bad_arguments(kwargs, error, needle):
    with pytest.raises(error, match=needle):
        descend_surface(get_surface("saddle"), sgd(lr=0.1), **kwargs)
    with pytest.raises(TypeError, match="optimizer must be a GradientTransformation"):
        descend_surface(get_surface("saddle"), "adam", steps=5)


def test_descend_curve_bad_arguments():
    with pytest.raises(ValueError, match=r"lrate must be a finite positive number, got -0\.1"):
        descend_curve(X_COS_PI_X, np.zeros(2), np.array([-0.1]), steps=3)
    with pytest.raises(ValueError, match="starts must contain only finite values"):
        descend_curve(X_COS_PI_X, np.array([np.inf]), np.array([0.1]), steps=3)
    with pytest.raises(ValueError, match="steps must be a positive integer, got 0"):
        descend_curve(X_COS_PI_X, np.zeros(2), np.array([0.1]), steps=0)
