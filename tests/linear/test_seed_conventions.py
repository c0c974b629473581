"""The seed material's calling conventions, written as a learner pastes them, on both backends.

A learner's notebook loops ``for X_b, y_b in batch(X, y, 32)``, unpacks ``weights, loss`` from the
descent functions and plots one against the other. These tests do the same in their own words:
the shapes and types that come back are the seed's (scalars for one feature, NumPy in → NumPy out,
tensors in → tensors out), and the seed's hand-written loop over ``batch`` is ``minibatchSGD``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import descentlab as dl
from descentlab.linear import batches
from descentlab.linear.initial import batch_rng
from descentlab.validation import InputTypeError, InputValueError

BACKENDS = ("numpy", "torch")


def _as(backend: str, *arrays: np.ndarray) -> tuple:
    """The arrays as the backend's own type: NumPy arrays, or float64 tensors."""
    if backend == "numpy":
        return arrays
    return tuple(torch.from_numpy(a) for a in arrays)


def _native(backend: str) -> type:
    return np.ndarray if backend == "numpy" else torch.Tensor


def _scalar(value: object) -> bool:
    """A 0-d value: a NumPy scalar, a 0-d array or a 0-d tensor."""
    return np.ndim(value) == 0 if not isinstance(value, torch.Tensor) else value.ndim == 0


@pytest.fixture
def line() -> tuple[np.ndarray, np.ndarray]:
    """100 points near y = 3x: 100 rows make batches of 32 end with a partial one of 4."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((100, 1))
    return x, 3.0 * x + 0.3 * rng.standard_normal((100, 1))


# -- batch(X, y, batch_size) ------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_looping_over_batch_visits_every_row_once_in_the_inputs_type(backend, line) -> None:
    X, y = _as(backend, *line)
    sizes, rows = [], []
    for X_b, y_b in dl.batch(X, y, 32):
        assert isinstance(X_b, _native(backend)) and isinstance(y_b, _native(backend))
        assert X_b.shape == (len(y_b), 1) and y_b.shape == (len(y_b), 1)
        sizes.append(len(y_b))
        rows.extend(np.asarray(y_b).ravel().tolist())
    assert sizes == [32, 32, 32, 4]
    assert sorted(rows) == sorted(np.asarray(y).ravel().tolist())
    assert rows != np.asarray(y).ravel().tolist()  # shuffled, not in file order


def test_the_default_seed_is_documented_and_each_call_is_the_next_epoch(monkeypatch, line) -> None:
    """Without seed or rng, a fresh process's k-th call is epoch k of the documented seed's
    stream: a new order every epoch, the same orders on every rerun."""
    monkeypatch.setattr(batches, "_default_stream", [])  # as in a fresh process
    X, y = line
    assert dl.DEFAULT_BATCH_SEED == 0
    stream = batch_rng(dl.DEFAULT_BATCH_SEED)
    for _ in range(3):
        expected = stream.permutation(len(X))
        got = np.concatenate([y_b for _, y_b in dl.batch(X, y, 32)])
        np.testing.assert_array_equal(got, y[expected])


def test_seed_repeats_one_order_and_rng_continues_a_stream(line) -> None:
    X, y = line
    first = [y_b for _, y_b in dl.batch(X, y, 10, seed=5)]
    again = [y_b for _, y_b in dl.batch(X, y, 10, seed=5)]
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(5)
    one = np.concatenate([y_b for _, y_b in dl.batch(X, y, 10, rng=rng)])
    two = np.concatenate([y_b for _, y_b in dl.batch(X, y, 10, rng=rng)])
    assert not np.array_equal(one, two)
    assert [len(y_b) for _, y_b in dl.batch(X, y, 30, seed=1, drop_last=True)] == [30, 30, 30]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda X, y: dl.batch(X, y, 0), InputValueError, "batch_size must be a positive"),
        (lambda X, y: dl.batch(X, y[:-1], 4), InputValueError, "same number of rows"),
        (lambda X, y: dl.batch(X.tolist(), y, 4), InputTypeError, "X must be a NumPy array"),
        (lambda X, y: dl.batch(X, y, 4, seed=1, rng=np.random.default_rng(1)), InputValueError,
         "seed must be None when rng is given"),
        (lambda X, y: dl.batch(X, y, 4, rng=1), InputTypeError, "rng must be a numpy"),
        (lambda X, y: dl.batch(X, y, 4, seed=-1), InputValueError, "seed must be an integer"),
        (lambda X, y: dl.batch(X, y, 4, drop_last="no"), InputTypeError, "drop_last must be"),
    ],
)  # fmt: skip
def test_bad_batch_arguments_are_refused_at_the_call(call, error, message, line) -> None:
    with pytest.raises(error, match=message):
        call(*line)  # at the call, not at the first iteration


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_seeds_hand_written_loop_over_batch_is_minibatchSGD(backend, line) -> None:
    """``for epoch: for X_b, y_b in batch(...): w, loss = gradient_step(...)`` with one stream
    across epochs takes the very steps ``minibatchSGD`` takes for the same seed."""
    X, y = _as(backend, *line)
    w0 = _as(backend, np.array([[0.5]]))[0]
    rng = batch_rng(4)
    w, losses = w0, []
    for _epoch in range(3):
        for X_b, y_b in dl.batch(X, y, 32, rng=rng):
            w, loss = dl.gradient_step(X_b, y_b, w, 0.05)
            losses.append(float(loss))
    reference = dl.minibatchSGD(X, y, 32, 3, 0.05, seed=4, initial_weight=w0)
    np.testing.assert_array_equal(np.asarray(losses), np.asarray(reference.batch_losses))
    np.testing.assert_array_equal(np.asarray(w), np.asarray(reference.weights[-1]))
    assert losses[-1] < losses[0]


# -- one-feature shapes -----------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_feature_functions_hand_back_scalars_of_the_inputs_type(backend, line) -> None:
    x, y = _as(backend, *line)
    native = _native(backend)

    new_weight, mse = dl.gradient_step_onefeature(x, y, 0.0, 0.1)
    assert _scalar(new_weight) and _scalar(mse)

    weights, loss = dl.GD_onefeature(x, y, 5, 0.1)
    assert isinstance(weights, native) and isinstance(loss, native)
    assert tuple(weights.shape) == (6,) and tuple(loss.shape) == (6,)
    assert _scalar(weights[-1])

    weights, loss = dl.minibatchSGD(x, y, 32, 2, 0.1)
    assert isinstance(weights, native) and isinstance(loss, native)
    assert tuple(weights.shape) == (9,) and tuple(loss.shape) == (8,)
    assert _scalar(weights[-1])

    gd = dl.GD_onefeature(x, y, 5, 0.1, seed=2)
    sgd = dl.minibatchSGD(x, y, 32, 1, 0.1, seed=2)
    assert float(gd.weights[0]) == float(sgd.weights[0])  # one seed, one starting weight


@pytest.mark.parametrize("backend", BACKENDS)
def test_minibatchSGD_keeps_a_matrix_initial_weight_shape(backend, line) -> None:
    x, y = _as(backend, *line)
    (w0,) = _as(backend, np.array([[0.5]]))
    history = dl.minibatchSGD(x, y, 50, 1, 0.1, initial_weight=w0)
    assert tuple(history.weights.shape) == (3, 1, 1)
    scalar = dl.minibatchSGD(x, y, 50, 1, 0.1, initial_weight=0.5)
    assert tuple(scalar.weights.shape) == (3,)
    np.testing.assert_array_equal(np.asarray(scalar.weights), np.asarray(history.weights).ravel())


@pytest.mark.parametrize("backend", BACKENDS)
def test_many_features_keep_column_weights(backend, regression) -> None:
    X, y = _as(backend, *regression)
    weights, loss = dl.minibatchSGD(X, y, 16, 1, 0.05)
    assert tuple(weights.shape) == (5, 4, 1) and tuple(loss.shape) == (4,)


# -- plotting weights against loss ------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_plotting_weights_against_loss_as_the_seed_does(backend, line, tmp_path) -> None:
    x, y = _as(backend, *line)
    figure = Figure(figsize=(6, 3))
    left, right = figure.subplots(1, 2)
    weights, loss = dl.GD_onefeature(x, y, 20, 0.1)
    left.plot(weights, loss, "o-")
    sgd_weights, sgd_loss = dl.minibatchSGD(x, y, 32, 2, 0.1)
    right.plot(sgd_weights[1:], sgd_loss, ".-")
    left.set_xlabel("weight")
    left.set_ylabel("loss")
    target = tmp_path / f"weights-vs-loss-{backend}.png"
    figure.savefig(target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (drawn,) = left.get_lines()
    np.testing.assert_array_equal(drawn.get_xdata(), np.asarray(weights))
    np.testing.assert_array_equal(drawn.get_ydata(), np.asarray(loss))
