"""The tolerance of a case (NOTE [forward error bound]): every correct order passes, every mistake
fails, and the bound is tight enough to mean something.

A correct step computed in float64 or float32 by many different orders (BLAS, einsum, Python loops
both ways, pairwise and exactly rounded sums, shuffled rows, torch autograd) is always within the
bound of its precision, on random problems of many sizes and scales; each known mistake is always
outside the float32 bound on cases drawn like the shipped ones.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from descentlab.grade import REGISTRY, load_case_set
from descentlab.grade.compare import check_return
from descentlab.grade.inside.capture import package
from descentlab.grade.linear_steps import (
    MISTAKES,
    MISTAKES_ONEFEATURE,
    make_inputs,
    make_inputs_onefeature,
)
from descentlab.grade.tolerance import (
    FLOAT32_ROUNDOFF,
    FLOAT64_ROUNDOFF,
    linear_step_tolerance,
    unit_roundoff,
)
from descentlab.linear import numpy_backend

Step = Callable[[np.ndarray, np.ndarray, np.ndarray, float], tuple[Any, Any]]


# -- correct steps, each in its own order of operations ---------------------------------------------


def _matmul(X, y, w, lrate):
    r = y - X @ w
    return w - lrate * ((-2 / X.shape[0]) * (X.T @ r)), np.mean(r**2)


def _np_dot(X, y, w, lrate):
    r = y - np.dot(X, w)
    return w + (lrate * 2 / X.shape[0]) * np.dot(X.T, r), np.dot(r[:, 0], r[:, 0]) / X.shape[0]


def _einsum(X, y, w, lrate):
    r = y - np.einsum("ij,jk->ik", X, w)
    grad = -2 * np.einsum("ij,ik->jk", X, r) / X.shape[0]
    return w - lrate * grad, np.einsum("ik,ik->", r, r) / X.shape[0]


def _pairwise(X, y, w, lrate):
    r = y[:, 0] - np.sum(X * w[:, 0], axis=1)
    grad = -2 * np.mean(X * r[:, None], axis=0)
    return w - lrate * grad.reshape(w.shape), np.sum(r * r) / X.shape[0]


def _loops(X, y, w, lrate, *, backwards=False, fsum=False):
    m, n = X.shape
    one = X.dtype.type  # Python floats for float64, NumPy float32 scalars for float32
    rows = range(m - 1, -1, -1) if backwards else range(m)
    cols = range(n - 1, -1, -1) if backwards else range(n)
    total = math.fsum if fsum else sum
    r = {i: y[i, 0] - total(X[i, j] * w[j, 0] for j in cols) for i in rows}
    grad = [one(-2.0) * total(X[i, j] * r[i] for i in rows) / one(m) for j in range(n)]
    new = np.array([[w[j, 0] - one(lrate) * grad[j]] for j in range(n)], dtype=X.dtype)
    return new, total(r[i] * r[i] for i in rows) / one(m)


def _shuffled(X, y, w, lrate):
    order = np.random.default_rng(X.shape[0]).permutation(X.shape[0])
    return _matmul(X[order], y[order], w, lrate)


def _torch_autograd(X, y, w, lrate, *, item=False):
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    wt = torch.from_numpy(w).clone().requires_grad_(True)
    loss = nn.MSELoss()(Xt @ wt, yt)
    loss.backward()
    with torch.no_grad():
        new = wt - lrate * wt.grad
    return (new.numpy(), loss.item()) if item else (new, loss.detach())


def _torch_manual(X, y, w, lrate):
    Xt, yt, wt = (torch.as_tensor(a) for a in (X, y, w))
    r = yt - Xt @ wt
    return wt - lrate * (-2 / Xt.shape[0] * Xt.T @ r), torch.mean(r**2).item()


def _in(dtype: type, step: Step, *, back: type | None = None) -> Step:
    """``step`` on the inputs converted to ``dtype`` (what a float32 learner does first), its
    results converted to ``back`` when given (float32 computed, float64 returned)."""

    def converted(X, y, w, lrate):
        new, mse = step(X.astype(dtype), y.astype(dtype), w.astype(dtype), lrate)
        if back is None:
            return new, mse
        return np.asarray(new, dtype=back), back(mse)

    return converted


ORDERS: dict[str, Step] = {
    "matmul": _matmul,
    "np.dot": _np_dot,
    "einsum": _einsum,
    "pairwise np.sum": _pairwise,
    "loops": _loops,
    "loops reversed": functools.partial(_loops, backwards=True),
    "math.fsum": functools.partial(_loops, fsum=True),
    "shuffled rows": _shuffled,
    "torch autograd": _torch_autograd,
    "torch autograd .item()": functools.partial(_torch_autograd, item=True),
    "torch manual .item()": _torch_manual,
}
STEPS: dict[str, tuple[Step, float]] = {
    **{f"float64 {name}": (step, FLOAT64_ROUNDOFF) for name, step in ORDERS.items()},
    **{
        f"float32 {name}": (_in(np.float32, step), FLOAT32_ROUNDOFF)
        for name, step in ORDERS.items()
        if name != "math.fsum"  # math.fsum works in float64 whatever it is given
    },
    "float32 returned as float64": (
        _in(np.float32, _matmul, back=np.float64),
        FLOAT32_ROUNDOFF,
    ),
}


@st.composite
def problems(draw: st.DrawFn) -> dict[str, Any]:
    """Random problems: m up to 300, n up to 8, inputs of many scales, the weight near or far
    from the least-squares fit (small residuals cancel), lrates around 1 and small ones."""
    m, n = draw(st.integers(1, 300)), draw(st.integers(1, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([1e-3, 0.1, 1.0, 30.0, 1e3]))
    X = scale * rng.standard_normal((m, n))
    if draw(st.booleans()):
        X = np.round(X, draw(st.integers(0, 4)))
    w_true = rng.standard_normal((n, 1)) * draw(st.sampled_from([0.1, 1.0, 100.0]))
    y = X @ w_true + draw(st.sampled_from([0.0, 1e-6, 0.5, 10.0])) * rng.standard_normal((m, 1))
    offset = draw(st.sampled_from([0.0, 1e-6, 1e-2, 1.0, 10.0]))
    weight = w_true + offset * rng.standard_normal((n, 1))
    lrate = draw(st.one_of(st.floats(0.5, 1.5), st.floats(1e-6, 0.1), st.just(1.0)))
    return {"X": X, "y": y, "weight": weight, "lrate": lrate}


def _expected(inputs: dict[str, Any]) -> dict[str, np.ndarray]:
    new_weight, mse = numpy_backend.gradient_step(*inputs.values())
    return {"new_weight": np.asarray(new_weight), "mse": np.asarray(mse)}


@settings(max_examples=60, deadline=None)
@given(problems())
def test_every_correct_order_is_within_the_bound_of_its_precision(inputs: dict[str, Any]) -> None:
    expected = _expected(inputs)
    bound = functools.partial(linear_step_tolerance, inputs)
    for name, (step, u) in STEPS.items():
        X, y, weight = (np.copy(inputs[k]) for k in ("X", "y", "weight"))
        new_weight, mse = step(X, y, weight, inputs["lrate"])
        received = {"new_weight": new_weight, "mse": mse}
        tolerance = bound(u)
        for output, value in received.items():
            value = np.asarray(value, dtype=np.float64).reshape(expected[output].shape)
            difference = np.abs(value - expected[output])
            assert np.all(difference <= tolerance[output]), (name, output, difference, tolerance)
        # and the grader's own rule, from the packaged values, passes them
        checks, issue = check_return(
            package((new_weight, mse)),
            ("new_weight", "mse"),
            expected,
            {},
            tolerance=bound,
        )
        assert issue is None and all(c.ok for c in checks), (name, checks)


def test_a_float32_result_converted_to_float64_passes_with_a_note() -> None:
    inputs = make_inputs(np.random.default_rng(5), 20)
    expected = _expected(inputs)
    step, _ = STEPS["float32 torch autograd .item()"]
    checks, _ = check_return(
        package(step(*inputs.values())),
        ("new_weight", "mse"),
        expected,
        {},
        tolerance=functools.partial(linear_step_tolerance, inputs),
    )
    assert [c.ok for c in checks] == [True, True]
    assert checks[0].note is None  # a float32 array is judged at float32 precision
    assert checks[1].note == (
        "mse agrees to float32 precision only (computed in float32 and converted?)"
    )


# -- mistakes -------------------------------------------------------------------------------------

CASE_SEEDS = range(12)
CASE_INDICES = range(1, 25)  # the public and hidden cases of a seed
ALL_CASES = [
    (make, seed, i)
    for make in (make_inputs, make_inputs_onefeature)
    for seed in CASE_SEEDS
    for i in CASE_INDICES
]


def _reference(inputs: dict[str, Any]) -> dict[str, np.ndarray]:
    name = "gradient_step_onefeature" if "x" in inputs else "gradient_step"
    new_weight, mse = REGISTRY[name].reference(*inputs.values())
    return {"new_weight": np.asarray(new_weight), "mse": np.asarray(mse)}


def _visible_changes(mistake, inputs: dict[str, Any]):
    """``(output, predicted, expected)`` for each way of writing ``mistake`` and each output it
    changes by more than 0.1 % (a smaller change is invisible in this case) with a value the
    tolerance can judge: finite, and as many numbers as expected (a swapped pair of outputs of
    other sizes is a shape error before it is a value)."""
    reference = _reference(inputs)
    for prediction in mistake.predict(inputs, {}):
        for output in mistake.outputs:
            expected = reference[output]
            predicted = np.asarray(prediction[output][0], dtype=np.float64)
            if predicted.size != expected.size or not np.all(np.isfinite(predicted)):
                yield output, None, expected  # caught by the shape or finiteness rule
                continue
            predicted = predicted.reshape(expected.shape)
            if np.max(np.abs(predicted - expected)) > 1e-3 * np.max(np.abs(expected)):
                yield output, predicted, expected


def _table_for(make: Any) -> tuple:
    return MISTAKES if make is make_inputs else MISTAKES_ONEFEATURE


# Changes that are the reference itself in some cases: the learning rate applied twice when
# lrate = 1, the gradient collapsed to one number when there is one feature, and the loss taken
# during per-sample updates, which only differs when paired with per_sample_updates.
SOMETIMES_INVISIBLE = {"lrate_twice", "gradient_collapsed", "loss_during_updates"}


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_each_mistake_is_outside_the_float32_bound(mistake) -> None:
    """On cases drawn like the shipped ones (12 seeds, both functions), every value a mistake or
    a pair of mistakes gives is outside the float32 tolerance, unless it does not change the value
    at all (the learning rate applied twice with lrate = 1, or a loss after the update that happens
    to equal the loss before it, to 0.1 %)."""
    visible = 0
    for make, seed, i in ALL_CASES:
        if mistake not in _table_for(make):
            continue
        inputs = make(np.random.default_rng(seed), i)
        tolerance = linear_step_tolerance(inputs, FLOAT32_ROUNDOFF)
        for output, predicted, expected in _visible_changes(mistake, inputs):
            visible += 1
            if predicted is None:
                continue
            assert np.any(np.abs(predicted - expected) > tolerance[output]), (
                make.__name__,
                seed,
                i,
            )
    assert visible > 0 or mistake.name in SOMETIMES_INVISIBLE


def test_the_mistakes_show_in_nearly_every_case() -> None:
    """The filter above drops few cases: lrate = 1 for the learning rate twice (a third), and a
    handful for the loss after the update and the RMSE."""
    invisible: dict[str, int] = {}
    for make, seed, i in ALL_CASES:
        inputs = make(np.random.default_rng(seed), i)
        for mistake in _table_for(make):
            if not mistake.parts and not any(_visible_changes(mistake, inputs)):
                invisible[mistake.name] = invisible.get(mistake.name, 0) + 1
    assert invisible.pop("lrate_twice") == len(ALL_CASES) // 3
    for name in SOMETIMES_INVISIBLE - {"lrate_twice"}:
        invisible.pop(name, None)
    assert all(count <= 0.01 * len(ALL_CASES) for count in invisible.values()), invisible


# -- tightness ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_the_bound_is_tight_on_the_shipped_cases(name: str) -> None:
    """float64: below 1e-9 of the value; float32: below 1e-4 of the value and far below the
    smallest effect of a mistake (half the step)."""
    for case in load_case_set(name).cases:
        expected = case.expected
        wide = {o: np.max(np.abs(v)) for o, v in expected.items()}
        tight = linear_step_tolerance(case.inputs, FLOAT64_ROUNDOFF)
        loose = linear_step_tolerance(case.inputs, FLOAT32_ROUNDOFF)
        for output in ("new_weight", "mse"):
            assert np.max(tight[output]) < 1e-9 * wide[output], (case.id, output)
            assert np.max(loose[output]) < 1e-4 * wide[output], (case.id, output)
        step = np.abs(expected["new_weight"] - case.inputs["weight"])
        assert np.max(loose["new_weight"]) < 0.01 * np.max(step), case.id


def test_the_bound_holds_with_room_but_not_absurd_room() -> None:
    """Across many cases a float32 computation uses more than a thousandth of the bound
    at its worst: the bound is worst-case, not typical, but not orders of magnitude off."""
    ratios = []
    for make, seed, i in ALL_CASES[::7]:
        inputs = make(np.random.default_rng(seed), i)
        expected = _reference(inputs)
        X = inputs["X"] if "X" in inputs else inputs["x"]
        w = np.asarray(inputs["weight"]).reshape(-1, 1)
        new, mse = _in(np.float32, _matmul)(X, inputs["y"], w, inputs["lrate"])
        tolerance = linear_step_tolerance(inputs, FLOAT32_ROUNDOFF)
        ratios.append(
            np.max(
                np.abs(new.reshape(w.shape) - expected["new_weight"].reshape(w.shape))
                / tolerance["new_weight"].reshape(w.shape)
            )
        )
        ratios.append(abs(float(mse) - float(expected["mse"])) / float(tolerance["mse"]))
    assert 1e-3 < max(ratios) <= 1


# -- the API --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "u"),
    [
        (np.float64, 2.0**-53),
        ("float64", 2.0**-53),
        ("float", 2.0**-53),
        (float, 2.0**-53),
        ("torch.float64", 2.0**-53),
        (torch.float64, 2.0**-53),
        (np.dtype("float32"), 2.0**-24),
        ("float32", 2.0**-24),
        ("torch.float32", 2.0**-24),
        (torch.float32, 2.0**-24),
        ("float16", 2.0**-11),
        ("torch.half", 2.0**-11),
        ("bfloat16", 2.0**-8),
        ("torch.bfloat16", 2.0**-8),
        (torch.bfloat16, 2.0**-8),
    ],
)
def test_unit_roundoff(dtype: Any, u: float) -> None:
    assert unit_roundoff(dtype) == u


@pytest.mark.parametrize("dtype", ["int64", "torch.int32", "complex64", np.int32, "nonsense", None])
def test_unit_roundoff_refuses_what_is_not_a_float_format(dtype: Any) -> None:
    with pytest.raises(ValueError, match="dtype must be a floating-point dtype"):
        unit_roundoff(dtype)


def test_the_tolerances_have_the_shapes_of_the_outputs() -> None:
    rng = np.random.default_rng(0)
    one = linear_step_tolerance(make_inputs_onefeature(rng, 3), FLOAT32_ROUNDOFF)
    assert one["new_weight"].shape == () and one["mse"].shape == ()
    inputs = make_inputs(rng, 4)
    several = linear_step_tolerance(inputs, FLOAT32_ROUNDOFF)
    assert several["new_weight"].shape == inputs["weight"].shape and several["mse"].shape == ()
    flat = dict(inputs, weight=inputs["weight"].ravel(), y=inputs["y"].ravel())
    assert linear_step_tolerance(flat, FLOAT32_ROUNDOFF)["new_weight"].shape == (5,)


def test_no_worst_case_bound_when_k_u_reaches_1() -> None:
    rng = np.random.default_rng(1)
    small, large = make_inputs(rng, 20), make_inputs(rng, 60)  # m = 100 and 300
    assert np.all(np.isfinite(linear_step_tolerance(small, unit_roundoff("bfloat16"))["mse"]))
    tolerance = linear_step_tolerance(large, unit_roundoff("bfloat16"))
    assert np.all(np.isinf(tolerance["new_weight"])) and np.isinf(tolerance["mse"])


def _case() -> dict[str, Any]:
    return make_inputs(np.random.default_rng(2), 4)  # m = 20, n = 5


@pytest.mark.parametrize(
    ("change", "u", "error", "message"),
    [
        ({}, 0, ValueError, r"u must be a positive float below 1, got 0$"),
        ({}, 1.0, ValueError, r"u must be a positive float below 1, got 1.0"),
        ({}, -(2.0**-24), ValueError, r"u must be a positive float below 1, got -5.96"),
        ({}, float("nan"), ValueError, r"u must be a positive float below 1, got nan"),
        ({}, True, TypeError, r"u must be a positive float below 1, got True \(bool\)"),
        ({}, "float32", TypeError, r"u must be a positive float below 1, got 'float32'"),
        ({"lrate": None}, 1e-8, ValueError, r"inputs must have the keys 'X' \(or 'x'\)"),
        ({"X": np.ones(3)}, 1e-8, ValueError, r"inputs\['X'\] must be 2-D of shape \(m, n\)"),
        ({"y": np.ones((4, 1))}, 1e-8, ValueError, r"inputs\['y'\] must hold 20 real number"),
        ({"weight": np.ones((2, 1))}, 1e-8, ValueError, r"inputs\['weight'\] must hold 5 real"),
        ({"lrate": -0.5}, 1e-8, ValueError, r"inputs\['lrate'\] must be a finite number >= 0"),
        (
            {"y": np.full((20, 1), np.inf)},
            1e-8,
            ValueError,
            r"inputs\['y'\] must contain only finite values",
        ),
    ],
)
def test_bad_arguments_are_named(change: dict, u: Any, error: type, message: str) -> None:
    inputs = {k: v for k, v in {**_case(), **change}.items() if v is not None}
    with pytest.raises(error, match=message):
        linear_step_tolerance(inputs, u)


def test_inputs_must_be_a_mapping() -> None:
    with pytest.raises(TypeError, match="inputs must be a mapping with the keys"):
        linear_step_tolerance([1, 2], FLOAT32_ROUNDOFF)  # type: ignore[arg-type]
