"""Behaviour of the NumPy optimizers beyond torch parity: descent, exact state round trips,
mathematical identities (hypothesis), 0-d and float32 parameters, frozen leaves, no mutation."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from descentlab.optim import (
    OPTIMIZERS,
    StatefulOptimizer,
    adam,
    adamw,
    apply_updates,
    load_state,
    make_optimizer,
    save_state,
    sgd,
    state_from_dict,
    state_to_dict,
)
from descentlab.optim.schedules import CosineAnnealingLR, StepLR


def parabola(w: np.ndarray) -> tuple[float, np.ndarray]:
    return 0.5 * (w[0] ** 2 + 10 * w[1] ** 2), np.array([w[0], 10 * w[1]])


def rosenbrock(w: np.ndarray) -> tuple[float, np.ndarray]:
    x, y = w
    grad = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2, grad


# objective -> (start, steps, required loss ratio, learning rate per optimizer)
OBJECTIVES: dict[str, tuple[Callable, list[float], int, float, dict[str, float]]] = {
    "parabola": (
        parabola,
        [3.0, -2.0],
        300,
        1e-2,
        {
            "sgd": 0.05,
            "momentum": 0.02,
            "nesterov": 0.02,
            "adagrad": 0.5,
            "rmsprop": 0.01,
            "adadelta": 10.0,
            "adam": 0.05,
            "amsgrad": 0.05,
            "adamw": 0.05,
            "nadam": 0.05,
            "radam": 0.05,
        },
    ),
    "rosenbrock": (
        rosenbrock,
        [-1.2, 1.0],
        500,
        0.2,
        {
            "sgd": 1e-3,
            "momentum": 1e-3,
            "nesterov": 1e-3,
            "adagrad": 0.5,
            "rmsprop": 0.01,
            "adadelta": 5.0,
            "adam": 0.05,
            "amsgrad": 0.05,
            "adamw": 0.05,
            "nadam": 0.05,
            "radam": 2e-3,
        },
    ),
}


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_loss_goes_down(name: str, objective: str) -> None:
    f, start, steps, ratio, lrs = OBJECTIVES[objective]
    optimizer = make_optimizer(name, lr=lrs[name])
    w = np.array(start)
    state = optimizer.init(w)
    initial = f(w)[0]
    for _ in range(steps):
        _, grad = f(w)
        updates, state = optimizer.update(grad, state, w)
        w = apply_updates(w, updates)
    assert f(w)[0] < ratio * initial


ROUND_TRIP_HYPER: dict[str, dict[str, Any]] = {
    "sgd": {"lr": 0.05, "weight_decay": 0.01},
    "momentum": {"lr": StepLR(0.05, 4, 0.5), "dampening": 0.1},
    "nesterov": {"lr": 0.05},
    "adagrad": {"lr": 0.1, "lr_decay": 0.01},
    "rmsprop": {"lr": 0.01, "centered": True, "momentum": 0.5},
    "adadelta": {"weight_decay": 0.01},
    "adam": {"lr": CosineAnnealingLR(0.01, 10)},
    "amsgrad": {"lr": 0.01},
    "adamw": {"lr": 0.01},
    "nadam": {"lr": 0.01},
    "radam": {"lr": 0.01, "decoupled_weight_decay": True, "weight_decay": 0.1},
}


def _gradients(params: dict[str, np.ndarray], steps: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return [
        {k: rng.standard_normal(v.shape).astype(v.dtype) for k, v in params.items()}
        for _ in range(steps)
    ]


def _run(optimizer: Any, params: Any, state: Any, gradients: list[Any]) -> tuple[Any, Any]:
    for grads in gradients:
        updates, state = optimizer.update(grads, state, params)
        params = apply_updates(params, updates)
    return params, state


def _assert_identical(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].dtype == b[key].dtype and a[key].shape == b[key].shape, key
        assert np.array_equal(a[key], b[key]), key


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_save_load_continue_equals_uninterrupted(name: str, tmp_path: Path) -> None:
    optimizer = make_optimizer(name, **ROUND_TRIP_HYPER[name])
    rng = np.random.default_rng(0)
    params = {"w": rng.standard_normal((3, 2)), "s": np.array(0.7), "h": np.ones(2, np.float32)}
    gradients = _gradients(params, 30, seed=1)
    straight, straight_state = _run(optimizer, params, optimizer.init(params), gradients)

    half, half_state = _run(optimizer, params, optimizer.init(params), gradients[:15])
    save_state(tmp_path / "state.npz", half_state)
    np.savez(tmp_path / "params.npz", **half)
    with np.load(tmp_path / "params.npz") as archive:
        reloaded = {k: archive[k] for k in half}
    restored = load_state(tmp_path / "state.npz", like=optimizer.init(reloaded))
    _assert_identical(state_to_dict(restored), state_to_dict(half_state))
    resumed, resumed_state = _run(optimizer, reloaded, restored, gradients[15:])
    _assert_identical(resumed, straight)
    _assert_identical(state_to_dict(resumed_state), state_to_dict(straight_state))


def test_stateful_optimizer_state_dict_round_trip() -> None:
    rng = np.random.default_rng(3)
    w = rng.standard_normal(4)
    grads = [rng.standard_normal(4) for _ in range(20)]
    straight = StatefulOptimizer.from_name("nadam", w, lr=0.01)
    for g in grads:
        straight.step(g)
    first = StatefulOptimizer.from_name("nadam", w, lr=0.01)
    for g in grads[:10]:
        first.step(g)
    buffer = io.BytesIO()
    np.savez(buffer, **first.state_dict())
    buffer.seek(0)
    second = StatefulOptimizer.from_name("nadam", first.params, lr=0.01)
    with np.load(buffer) as archive:
        second.load_state_dict({k: archive[k] for k in archive.files})
    for g in grads[10:]:
        second.step(g)
    assert np.array_equal(second.params, straight.params)
    _assert_identical(second.state_dict(), straight.state_dict())


def test_state_from_dict_refuses_a_mismatch() -> None:
    optimizer = adam()
    state = optimizer.init({"w": np.zeros(3)})
    data = state_to_dict(state)
    with pytest.raises(ValueError, match=r"must have the key '0/exp_avg/w'"):
        state_from_dict({k: v for k, v in data.items() if k != "0/exp_avg/w"}, state)
    with pytest.raises(ValueError, match=r"extra keys \['bogus'\]"):
        state_from_dict({**data, "bogus": np.zeros(1)}, state)
    with pytest.raises(ValueError, match=r"shape \(3,\) and dtype float64, got array of shape"):
        state_from_dict({**data, "0/exp_avg/w": np.zeros(4)}, state)


# ----------------------------------------------------------------------------------------------
# Identities, checked on many inputs

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
vectors = hnp.arrays(np.float64, st.integers(1, 5), elements=finite)
rates = st.floats(0.0, 10.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(w=vectors, seed=st.integers(0, 2**16), lr=rates)
def test_sgd_without_momentum_is_plain_gradient_descent(
    w: np.ndarray, seed: int, lr: float
) -> None:
    optimizer = sgd(lr=lr, momentum=0.0)
    state = optimizer.init(w)
    rng = np.random.default_rng(seed)
    expected = w.copy()
    for _ in range(5):
        g = rng.standard_normal(w.shape)
        updates, state = optimizer.update(g, state, w)
        w = apply_updates(w, updates)
        expected = expected - lr * g
        assert np.array_equal(w, expected)


@settings(max_examples=40, deadline=None)
@given(w=vectors, seed=st.integers(0, 2**16), lr=st.floats(1e-4, 1.0))
def test_adamw_without_decay_is_adam(w: np.ndarray, seed: int, lr: float) -> None:
    a, b = adam(lr=lr), adamw(lr=lr, weight_decay=0.0)
    sa, sb = a.init(w), b.init(w)
    wa = wb = w
    rng = np.random.default_rng(seed)
    for _ in range(5):
        g = rng.standard_normal(w.shape)
        ua, sa = a.update(g, sa, wa)
        ub, sb = b.update(g, sb, wb)
        wa, wb = apply_updates(wa, ua), apply_updates(wb, ub)
    assert np.array_equal(wa, wb)


@settings(max_examples=40, deadline=None)
@given(g=vectors, lr=st.floats(1e-4, 1.0))
def test_first_adam_step_is_at_most_lr(g: np.ndarray, lr: float) -> None:
    optimizer = adam(lr=lr)
    updates, _ = optimizer.update(g, optimizer.init(np.zeros_like(g)))
    assert np.all(np.abs(updates) <= lr * (1 + 1e-12))


@settings(max_examples=40, deadline=None)
@given(w=vectors, lr=st.floats(1e-3, 1.0), momentum=st.floats(0.0, 0.99))
def test_momentum_on_a_constant_gradient_is_a_geometric_series(
    w: np.ndarray, lr: float, momentum: float
) -> None:
    optimizer = sgd(lr=lr, momentum=momentum)
    state = optimizer.init(w)
    g = np.ones_like(w)
    for t in range(1, 6):
        updates, state = optimizer.update(g, state, w)
        expected = -lr * sum(momentum**k for k in range(t))
        np.testing.assert_allclose(updates, expected * g, rtol=1e-12)


# ----------------------------------------------------------------------------------------------
# Shapes, dtypes and the §6 traps


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_inputs_are_never_modified_and_0d_stays_an_array(name: str) -> None:
    optimizer = make_optimizer(name)
    params = {"s": np.array(1.5), "v": np.array([1.0, -1.0])}
    grads = {"s": np.array(0.3), "v": np.array([0.1, 0.2])}
    kept = {k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in grads.items()}
    state = optimizer.init(params)
    history = []
    for _ in range(3):
        updates, state = optimizer.update(grads, state, params)
        params = apply_updates(params, updates)
        history.append(params)
    assert isinstance(params["s"], np.ndarray) and params["s"].shape == ()
    assert all(isinstance(v, np.ndarray) for v in state_to_dict(state).values())
    assert not np.array_equal(history[0]["v"], history[-1]["v"])  # no aliasing across steps
    for k in kept[1]:
        assert np.array_equal(grads[k], kept[1][k])


def test_numpy_scalar_gradients_are_accepted_for_0d_params() -> None:
    w = np.array(3.0)
    optimizer = adam(lr=0.1)
    updates, _ = optimizer.update(2 * w, optimizer.init(w), w)  # 2 * w is np.float64
    assert isinstance(updates, np.ndarray) and updates.shape == ()


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_float32_params_keep_float32(name: str) -> None:
    optimizer = make_optimizer(name)
    w = np.ones(3, dtype=np.float32)
    updates, state = optimizer.update(np.full(3, 0.5, np.float32), optimizer.init(w), w)
    assert apply_updates(w, updates).dtype == np.float32
    floats = [v for v in state_to_dict(state).values() if v.dtype.kind == "f" and v.ndim]
    assert all(v.dtype == np.float32 for v in floats)


def test_a_none_gradient_freezes_the_parameter_and_its_state() -> None:
    optimizer = adam(lr=0.1)
    params = [np.ones(2), np.ones(3)]
    state = optimizer.init(params)
    before = state_to_dict(state)
    updates, state = optimizer.update([np.ones(2), None], state, params)
    new = apply_updates(params, updates)
    assert np.array_equal(new[1], params[1])
    after = state_to_dict(state)
    assert all(np.array_equal(after[k], before[k]) for k in before if k.endswith("/1"))
    assert not np.array_equal(after["0/exp_avg/0"], before["0/exp_avg/0"])


def test_a_schedule_is_used_at_the_update_count() -> None:
    schedule = StepLR(1.0, step_size=2, gamma=0.5)
    optimizer = sgd(lr=schedule)
    w = np.zeros(1)
    state = optimizer.init(w)
    for t in range(6):
        updates, state = optimizer.update(np.ones(1), state, w)
        assert updates[0] == -schedule(t)


def test_the_state_does_not_depend_on_the_learning_rate() -> None:
    """What lets ReduceLROnPlateau work: rebuild the optimizer with the new rate, keep the state."""
    w = np.array([1.0, 2.0])
    _, sa = adam(lr=0.1).update(w, adam(lr=0.1).init(w), w)
    _, sb = adam(lr=0.3).update(w, adam(lr=0.3).init(w), w)
    _assert_identical(state_to_dict(sa), state_to_dict(sb))


def test_structure_mismatch_is_reported() -> None:
    optimizer = adam()
    state = optimizer.init({"w": np.zeros(2)})
    with pytest.raises(ValueError, match=r"must have the same structure as params"):
        optimizer.update({"v": np.zeros(2)}, state, {"w": np.zeros(2)})
    with pytest.raises(TypeError, match=r"params must be floating-point NumPy arrays"):
        optimizer.init({"w": [1.0, 2.0]})
