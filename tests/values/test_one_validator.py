"""One module of checks with one wording: the former optim twin is gone, every caller agrees."""

from __future__ import annotations

import importlib
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from descentlab import minibatchSGD
from descentlab.optim import make_optimizer
from descentlab.optim.schedules import make_schedule
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_bool,
    check_finite_float,
    check_unit_interval,
    is_real_number,
)


def test_the_optim_twin_module_is_gone() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("descentlab.optim._checks")


BOOL_CALLERS = [
    ("amsgrad", lambda v: make_optimizer("adam", amsgrad=v)),
    ("nesterov", lambda v: make_optimizer("sgd", momentum=0.9, nesterov=v)),
    ("maximize", lambda v: make_optimizer("rmsprop", maximize=v)),
    (
        "three_phase",
        lambda v: make_schedule("one_cycle", max_lr=1.0, total_steps=10, three_phase=v),
    ),
    ("drop_last", lambda v: minibatchSGD(np.ones((4, 1)), np.ones((4, 1)), 2, 1, 0.1, drop_last=v)),
    ("shuffle", lambda v: minibatchSGD(np.ones((4, 1)), np.ones((4, 1)), 2, 1, 0.1, shuffle=v)),
]


@pytest.mark.parametrize("name, call", BOOL_CALLERS, ids=[c[0] for c in BOOL_CALLERS])
@pytest.mark.parametrize("value, shown", [(1, "1"), ("yes", "'yes'"), (None, r"None \(NoneType\)")])
def test_every_bool_argument_is_refused_in_one_wording(name, call, value, shown) -> None:
    with pytest.raises(InputTypeError) as caught:
        call(value)
    assert re.fullmatch(f"{name} must be True or False, got {shown}", str(caught.value))


@pytest.mark.parametrize("name, call", BOOL_CALLERS, ids=[c[0] for c in BOOL_CALLERS])
def test_a_numpy_bool_is_a_bool_everywhere(name, call) -> None:
    call(np.True_)  # accepted by every caller alike
    assert check_bool(name, np.False_) is False


INTERVALS = [
    (False, True, "[0, 1)"),
    (False, False, "[0, 1]"),
    (True, True, "(0, 1)"),
    (True, False, "(0, 1]"),
]


@pytest.mark.parametrize("open_left, open_right, shown", INTERVALS)
@given(x=st.one_of(st.floats(), st.sampled_from([0.0, 1.0, -0.0, 1e-300, 1 - 1e-16])))
def test_unit_interval_accepts_exactly_its_interval(open_left, open_right, shown, x) -> None:
    inside = (x > 0 if open_left else x >= 0) and (x < 1 if open_right else x <= 1)
    if inside:
        assert check_unit_interval("f", x, open_left=open_left, open_right=open_right) == x
        return
    with pytest.raises(InputValueError, match=re.escape(f"f must be a number in {shown}, got")):
        check_unit_interval("f", x, open_left=open_left, open_right=open_right)


@given(x=st.floats())
def test_finite_float_accepts_exactly_the_finite_numbers(x) -> None:
    if math.isfinite(x):
        assert check_finite_float("a", x) == x
    else:
        with pytest.raises(InputValueError, match=r"^a must be a finite number, got"):
            check_finite_float("a", x)


@pytest.mark.parametrize(
    "value, real",
    [(1, True), (1.5, True), (np.float32(2), True), (np.array(3), True), (np.array([3]), False),
     (True, False), (np.True_, False), (1j, False), ("1", False), (None, False)],
)  # fmt: skip
def test_what_counts_as_a_real_number(value, real) -> None:
    assert is_real_number(value) is real
    if not real:
        with pytest.raises(InputTypeError, match=r"^x must be a finite number, got"):
            check_finite_float("x", value)
