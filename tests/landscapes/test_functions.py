"""Test functions: analytic derivatives against central finite differences, and known values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descentlab.landscapes import SURFACES, X_COS_PI_X, get_surface, narrow_valley, rosenbrock

H = 1e-6
finite_x = st.floats(-3.0, 3.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(finite_x)
def test_curve_derivatives_match_central_differences(x):
    f, df, d2f = X_COS_PI_X.value, X_COS_PI_X.derivative, X_COS_PI_X.second_derivative
    numeric = (f(np.float64(x + H)) - f(np.float64(x - H))) / (2 * H)
    assert df(np.float64(x)) == pytest.approx(numeric, abs=1e-7)
    numeric2 = (df(np.float64(x + H)) - df(np.float64(x - H))) / (2 * H)
    assert d2f(np.float64(x)) == pytest.approx(numeric2, abs=1e-6)


def test_curve_exact_values():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    np.testing.assert_allclose(X_COS_PI_X.value(x), [1.0, 0.0, 0.0, -1.0, 2.0], atol=1e-15)
    # f'(x) = cos(πx) − πx sin(πx): at 0.5 it is −π/2, at 1 it is −1
    np.testing.assert_allclose(X_COS_PI_X.derivative(x[1:4]), [1.0, -math.pi / 2, -1.0], atol=1e-15)
    assert X_COS_PI_X.domain == (-1.0, 2.0)


@pytest.mark.parametrize("name", sorted(SURFACES))
@settings(max_examples=25, deadline=None)
@given(u=st.floats(0, 1), v=st.floats(0, 1))
def test_surface_gradients_match_central_differences(name, u, v):
    surface = get_surface(name)
    x0, x1, y0, y1 = surface.box
    z = np.array([x0 + u * (x1 - x0), y0 + v * (y1 - y0)])
    numeric = np.array(
        [(surface.value(z + H * e) - surface.value(z - H * e)) / (2 * H) for e in np.eye(2)]
    )
    scale = max(1.0, float(np.abs(numeric).max()))
    np.testing.assert_allclose(surface.gradient(z), numeric, atol=1e-6 * scale)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_surfaces_vectorise_over_leading_axes(name):
    surface = get_surface(name)
    points = np.random.default_rng(0).normal(size=(3, 4, 2))
    values, grads = surface.value(points), surface.gradient(points)
    assert values.shape == (3, 4) and grads.shape == (3, 4, 2)
    assert values[1, 2] == surface.value(points[1, 2])
    np.testing.assert_array_equal(grads[2, 3], surface.gradient(points[2, 3]))


def test_minima_and_saddle_are_stationary():
    for name in SURFACES:
        surface = get_surface(name)
        point = surface.minimum if surface.minimum is not None else (0.0, 0.0)
        np.testing.assert_allclose(surface.gradient(np.array(point)), [0.0, 0.0], atol=1e-12)
    assert rosenbrock(a=2.0).minimum == (2.0, 4.0)
    assert get_surface("saddle").minimum is None


def test_narrow_valley_is_the_rotated_quadratic():
    valley = narrow_valley(condition=25.0, angle=0.3)
    z = np.array([0.7, -1.1])
    c, s = math.cos(0.3), math.sin(0.3)
    u, w = c * z[0] + s * z[1], -s * z[0] + c * z[1]  # coordinates along and across the valley
    assert valley.value(z) == pytest.approx(0.5 * (u**2 + 25.0 * w**2), rel=1e-12)
    hessian = np.array([valley.gradient(e) for e in np.eye(2)])
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian), [1.0, 25.0], rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "needle"),
    [
        (lambda: rosenbrock(b=0.0), ValueError, "b must be a finite positive number, got 0.0"),
        (lambda: rosenbrock(a="1"), TypeError, "a must be a finite number, got '1'"),
        (lambda: narrow_valley(condition=-1), ValueError, "condition must be a finite positive"),
        (lambda: narrow_valley(angle=math.inf), ValueError, "angle must be a finite number"),
        (lambda: get_surface("bowl"), ValueError, "surface must be one of 'rosenbrock'"),
        (lambda: get_surface("saddle").value(np.zeros(3)), ValueError, "last axis of length 2"),
    ],
)
def test_bad_arguments(call, error, needle):
    with pytest.raises(error, match=needle.replace("(", r"\(").replace(")", r"\)")):
        call()
