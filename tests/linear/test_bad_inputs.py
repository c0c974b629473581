"""Every bad input names the argument, the rule and the value received."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from descentlab.linear import numpy_backend as npb
from descentlab.linear import torch_backend as tb
from descentlab.validation import InputTypeError

X = np.ones((5, 2))
Y = np.ones((5, 1))
W = np.zeros((2, 1))
X1 = np.ones((5, 1))

CASES = [
    # (call, exception, message regex)
    (
        lambda b: b.gradient_step(np.ones(5), Y, W, 0.1),
        ValueError,
        r"X must be 2-D of shape \(m, n\), got shape \(5,\)",
    ),
    (
        lambda b: b.gradient_step(X, np.ones((4, 1)), W, 0.1),
        ValueError,
        r"X and y must have the same number of rows, got 5 and 4",
    ),
    (
        lambda b: b.gradient_step(X, Y, np.zeros((3, 1)), 0.1),
        ValueError,
        r"weight must have shape \(2, 1\).*got shape \(3, 1\)",
    ),
    (
        lambda b: b.gradient_step(np.array([[1.0, np.nan]] * 5), Y, W, 0.1),
        ValueError,
        r"X must contain only finite values, got nan at index \(0, 1\)",
    ),
    (
        lambda b: b.gradient_step(X, np.array([[np.inf]] * 5), W, 0.1),
        ValueError,
        r"y must contain only finite values, got inf",
    ),
    (
        lambda b: b.gradient_step(np.ones((0, 2)), np.ones((0, 1)), W, 0.1),
        ValueError,
        r"X must not be empty, got shape \(0, 2\)",
    ),
    (
        lambda b: b.gradient_step(X, Y, W, 0),
        ValueError,
        r"lrate must be a finite positive number, got 0",
    ),
    (
        lambda b: b.gradient_step(X, Y, W, -0.1),
        ValueError,
        r"lrate must be a finite positive number, got -0.1",
    ),
    (
        lambda b: b.gradient_step(X, Y, W, float("nan")),
        ValueError,
        r"lrate must be a finite positive number, got nan",
    ),
    (
        lambda b: b.gradient_step(X, Y, W, float("inf")),
        ValueError,
        r"lrate must be a finite positive number, got inf",
    ),
    (
        lambda b: b.gradient_step(X, Y, W, True),
        TypeError,
        r"lrate must be a finite positive number, got True \(bool\)",
    ),
    (
        lambda b: b.gradient_step(X, Y, W, "0.1"),
        TypeError,
        r"lrate must be a finite positive number, got '0.1'",
    ),
    (
        lambda b: b.gradient_step(X.tolist(), Y, W, 0.1),
        TypeError,
        r"X must be a 2-D NumPy array or torch tensor, got \[\[",
    ),
    (
        lambda b: b.gradient_step(X.astype(bool), Y, W, 0.1),
        TypeError,
        r"X must hold real numbers, got array of shape \(5, 2\) and dtype bool",
    ),
    (
        lambda b: b.gradient_step_onefeature(X, Y, 0.0, 0.1),
        ValueError,
        r"x must have 1 column\(s\), got shape \(5, 2\)",
    ),
    (
        lambda b: b.gradient_step_onefeature(X1, Y, np.zeros(2), 0.1),
        ValueError,
        r"weight must be a scalar \(0-d\) for one feature, got shape \(2,\)",
    ),
    (
        lambda b: b.gradient_step_onefeature(X1, Y, True, 0.1),
        TypeError,
        r"weight must be a finite real scalar, got True \(bool\)",
    ),
    (
        lambda b: b.gradient_step_onefeature(X1, Y, float("nan"), 0.1),
        ValueError,
        r"weight must be a finite real scalar, got nan",
    ),
    (lambda b: b.GD(X, Y, 0, 0.1), ValueError, r"epochs must be a positive integer, got 0"),
    (lambda b: b.GD(X, Y, -3, 0.1), ValueError, r"epochs must be a positive integer, got -3"),
    (
        lambda b: b.GD(X, Y, True, 0.1),
        TypeError,
        r"epochs must be a positive integer, got True \(bool\)",
    ),
    (lambda b: b.GD(X, Y, 2.5, 0.1), TypeError, r"epochs must be a positive integer, got 2.5"),
    (
        lambda b: b.GD(X, Y, 5, 0.1, seed=-1),
        ValueError,
        r"seed must be an integer in \[0, 2\*\*63 - 1\], got -1",
    ),
    (
        lambda b: b.minibatchSGD(X, Y, 0, 5, 0.1),
        ValueError,
        r"batch_size must be a positive integer, got 0",
    ),
    (
        lambda b: b.minibatchSGD(X, Y, 2, 5, 0.1, drop_last="yes"),
        TypeError,
        r"drop_last must be True or False, got 'yes'",
    ),
    (
        lambda b: b.GD_early_stopping(X, Y, 0.1, rtol=0),
        ValueError,
        r"rtol must be a finite positive number, got 0",
    ),
    (
        lambda b: b.GD_early_stopping(X, Y, 0.1, max_iter=0),
        ValueError,
        r"max_iter must be a positive integer, got 0",
    ),
    (
        lambda b: b.gradient_step(X, np.ones((5, 2)), W, 0.1),
        ValueError,
        r"y must have shape \(m, 1\) or \(m,\), got shape \(5, 2\)",
    ),
]


@pytest.mark.parametrize("name", ["numpy", "torch", "tf"])
@pytest.mark.parametrize(("call", "error", "message"), CASES)
def test_bad_input(name, call, error, message, request):
    backend = {"numpy": npb, "torch": tb}.get(name) or request.getfixturevalue("tfb")
    with pytest.raises(error, match=message):
        call(backend)


def test_numpy_backend_refuses_tensors_with_a_hint():
    with pytest.raises(TypeError, match="use backend='torch'"):
        npb.gradient_step(torch.ones(5, 2), Y, W, 0.1)


def test_tf_backend_refuses_torch_tensors_with_a_hint(tfb):
    with pytest.raises(InputTypeError, match="weight must be a NumPy array for backend 'tf'"):
        tfb.gradient_step(X, Y, torch.zeros(2, 1, dtype=torch.float64), 0.1)


def test_tensor_nan_is_located():
    bad = torch.ones(5, 2, dtype=torch.float64)
    bad[3, 1] = float("nan")
    with pytest.raises(
        ValueError, match=r"X must contain only finite values, got nan at index \(3, 1\)"
    ):
        tb.gradient_step(bad, torch.ones(5, 1, dtype=torch.float64), torch.zeros(2, 1), 0.1)


def test_unknown_backend():
    import descentlab as dl

    with pytest.raises(
        ValueError, match=r"backend must be one of 'numpy', 'torch', 'tf', got 'jax'"
    ):
        dl.GD(X, Y, 5, 0.1, backend="jax")
