"""Types in equal types out, inputs untouched, and the SPEC §6 traps."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import descentlab as dl
from descentlab.linear import numpy_backend as npb
from descentlab.linear import torch_backend as tb


def test_numpy_in_numpy_out(regression):
    X, y = regression
    w = np.zeros((4, 1))
    for backend in ("numpy", "torch", "tf"):
        new_w, loss = dl.gradient_step(X, y, w, 0.1, backend=backend)
        assert isinstance(new_w, np.ndarray) and new_w.shape == (4, 1)
        assert isinstance(loss, np.floating)
        history = dl.GD(X, y, 3, 0.1, backend=backend)
        assert isinstance(history.weights, np.ndarray)


def test_tensors_in_tensors_out(regression):
    X, y = (torch.from_numpy(a) for a in regression)
    w = torch.zeros(4, 1, dtype=torch.float64)
    new_w, loss = dl.gradient_step(X, y, w, 0.1)
    assert isinstance(new_w, torch.Tensor) and isinstance(loss, torch.Tensor)
    assert new_w.shape == (4, 1) and loss.ndim == 0
    history = dl.minibatchSGD(X, y, 10, 2, 0.1)
    assert isinstance(history.weights, torch.Tensor)
    assert isinstance(history.batch_losses, torch.Tensor)


def test_onefeature_scalar_types(onefeature):
    x, y = onefeature
    new_w, _loss = dl.gradient_step_onefeature(x, y, 0.0, 0.1)
    assert np.ndim(new_w) == 0 and isinstance(new_w, np.floating)
    t_w, _t_loss = dl.gradient_step_onefeature(torch.from_numpy(x), torch.from_numpy(y), 0.0, 0.1)
    assert isinstance(t_w, torch.Tensor) and t_w.ndim == 0


def test_weight_shape_is_kept(regression):
    X, y = regression
    new_w, _ = npb.gradient_step(X, y, np.zeros(4), 0.1)
    assert new_w.shape == (4,)
    y_flat = y.ravel()
    a, _ = npb.gradient_step(X, y_flat, np.zeros((4, 1)), 0.1)
    b, _ = npb.gradient_step(X, y, np.zeros((4, 1)), 0.1)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["numpy", "torch", "tf"])
def test_inputs_never_modified(regression, name, request):
    backend = {"numpy": npb, "torch": tb}.get(name) or request.getfixturevalue("tfb")
    X, y = regression
    w = np.ones((4, 1))
    copies = [a.copy() for a in (X, y, w)]
    backend.gradient_step(X, y, w, 0.1)
    backend.GD(X, y, 5, 0.1, initial_weight=w)
    backend.minibatchSGD(X, y, 8, 2, 0.1, initial_weight=w)
    for original, copy in zip((X, y, w), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


def test_torch_inputs_never_modified(regression):
    X, y = (torch.from_numpy(a.copy()) for a in regression)
    w = torch.ones(4, 1, dtype=torch.float64)
    copies = [t.clone() for t in (X, y, w)]
    tb.gradient_step(X, y, w, 0.1)
    tb.GD(X, y, 5, 0.1, initial_weight=w)
    for original, copy in zip((X, y, w), copies, strict=True):
        assert torch.equal(original, copy)
    assert w.grad is None


@pytest.mark.parametrize("name", ["numpy", "torch", "tf"])
def test_trap_history_entries_are_not_all_the_last_weight(regression, name, request):
    backend = {"numpy": npb, "torch": tb}.get(name) or request.getfixturevalue("tfb")
    X, y = regression
    history = backend.GD(X, y, 10, 0.1)
    weights = np.asarray(history.weights)
    assert len({w.tobytes() for w in weights}) == len(weights)
    assert not np.array_equal(weights[0], weights[-1])


def test_trap_zero_d_weight_is_not_fed_to_matmul(onefeature):
    x, y = onefeature
    new_w, _loss = npb.gradient_step_onefeature(x, y, np.float64(1.0), 0.1)
    expected = 1.0 + 0.1 * (2 / len(x)) * np.sum(x * (y - x))
    assert new_w == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"weight must have shape \(1, 1\).*got shape \(\)"):
        npb.gradient_step(x, y, np.array(1.0), 0.1)


def test_trap_batch_order_differs_between_epochs_and_repeats_per_seed():
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    first = [np.concatenate(list(dl.batch_indices(50, 8, rng=rng_a))) for _ in range(3)]
    again = [np.concatenate(list(dl.batch_indices(50, 8, rng=rng_b))) for _ in range(3)]
    assert not np.array_equal(first[0], first[1])
    assert not np.array_equal(first[1], first[2])
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
        assert sorted(a.tolist()) == list(range(50))


def test_trap_same_seed_same_initial_weight_everywhere(regression, tfb):
    X, y = regression
    a = npb.GD(X, y, 1, 0.1, seed=9).weights[0]
    b = tb.GD(X, y, 1, 0.1, seed=9).weights[0]
    c = npb.minibatchSGD(X, y, 5, 1, 0.1, seed=9).weights[0]
    d = tb.minibatchSGD(torch.from_numpy(X), torch.from_numpy(y), 5, 1, 0.1, seed=9).weights[0]
    e = tfb.GD(X, y, 1, 0.1, seed=9).weights[0]
    f = tfb.minibatchSGD(X, y, 5, 1, 0.1, seed=9).weights[0]
    for other in (b, c, d.numpy(), e, f):
        np.testing.assert_array_equal(a, other)
    assert not np.array_equal(a, npb.GD(X, y, 1, 0.1, seed=10).weights[0])


def test_same_seed_same_bits(regression):
    X, y = regression
    a = npb.minibatchSGD(X, y, 7, 3, 0.05, seed=4)
    b = npb.minibatchSGD(X, y, 7, 3, 0.05, seed=4)
    assert a.weights.tobytes() == b.weights.tobytes()
    c = npb.minibatchSGD(X, y, 7, 3, 0.05, seed=5)
    assert a.weights.tobytes() != c.weights.tobytes()


def test_tf_same_seed_same_bits(regression, tfb):
    X, y = regression
    a = tfb.minibatchSGD(X, y, 7, 3, 0.05, seed=4)
    b = tfb.minibatchSGD(X, y, 7, 3, 0.05, seed=4)
    assert a.weights.tobytes() == b.weights.tobytes()
    assert a.batch_losses.tobytes() == b.batch_losses.tobytes()


def test_drop_last_and_partial_batches():
    rng = np.random.default_rng(0)
    assert [len(b) for b in dl.batch_indices(100, 30, rng=rng)] == [30, 30, 30, 10]
    assert [len(b) for b in dl.batch_indices(100, 30, rng=rng, drop_last=True)] == [30, 30, 30]
    assert dl.n_batches(100, 30) == 4 and dl.n_batches(100, 30, drop_last=True) == 3


def test_trap_zero_batches_is_an_error(regression):
    X, y = regression
    with pytest.raises(ValueError, match="no batch would remain"):
        list(dl.batch_indices(10, 20, rng=None, drop_last=True))
    with pytest.raises(ValueError, match="batch_size must be at most n_samples"):
        npb.minibatchSGD(X, y, 100, 1, 0.1, drop_last=True)


def test_full_batch_sgd_is_gd_and_batch_one_takes_m_steps(regression):
    X, y = regression
    full = npb.minibatchSGD(X, y, len(X), 20, 0.1, shuffle=False)
    gd = npb.GD(X, y, 20, 0.1)
    np.testing.assert_allclose(full.weights, gd.weights, rtol=1e-12)
    single = npb.minibatchSGD(X, y, 1, 2, 0.01)
    assert single.steps == 2 * len(X) and single.steps_per_epoch == len(X)


@pytest.mark.parametrize("backend", [npb, tb])
def test_divergence_stops_and_says_so(regression, backend):
    X, y = regression
    history = backend.GD(X * 1e3, y, 500, 10.0)
    assert history.status == "diverged"
    assert history.diverged_at is not None and history.diverged_at < 500
    assert not np.isfinite(float(history.losses[-1]))
    assert np.all(np.isfinite(np.asarray(history.losses[:-1], dtype=np.float64)))
    sgd = backend.minibatchSGD(X * 1e3, y, 10, 50, 10.0)
    assert sgd.status == "diverged"
