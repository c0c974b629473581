"""Argument checks shared by the optimizers and schedules (one message shape everywhere)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_probability,
    describe,
    is_tensor,
)

__all__ = [
    "check_betas",
    "check_bool",
    "check_learning_rate",
    "check_real",
    "check_unit_interval",
    "is_real_number",
]


def is_real_number(value: Any) -> bool:
    """A real number: Python/NumPy scalars and 0-d arrays or tensors; never a bool."""
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    if is_tensor(value):
        return value.ndim == 0 and not value.dtype.is_complex and str(value.dtype) != "torch.bool"
    return isinstance(value, numbers.Real)


def check_bool(name: str, value: Any) -> bool:
    """A real ``bool`` (``1`` and ``"yes"`` are refused)."""
    if not isinstance(value, bool | np.bool_):
        raise InputTypeError(f"{name} must be a bool, got {describe(value)}")
    return bool(value)


def check_real(name: str, value: Any) -> float:
    """Any finite real number (a bool is refused)."""
    if not is_real_number(value):
        raise InputTypeError(f"{name} must be a finite number, got {describe(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise InputValueError(f"{name} must be a finite number, got {number!r}")
    return number


def check_unit_interval(name: str, value: Any, *, open_left: bool, open_right: bool) -> float:
    """A real number in an interval with end points 0 and 1, each open or closed."""
    interval = ("(" if open_left else "[") + "0, 1" + (")" if open_right else "]")
    if not is_real_number(value):
        raise InputTypeError(f"{name} must be a number in {interval}, got {describe(value)}")
    number = float(value)
    above = number > 0 if open_left else number >= 0
    below = number < 1 if open_right else number <= 1
    if not (above and below):
        raise InputValueError(f"{name} must be a number in {interval}, got {number!r}")
    return number


def check_learning_rate(name: str, value: Any) -> float | Callable[[int], float]:
    """A finite number >= 0, or a schedule (any callable of the step count)."""
    if callable(value) and not isinstance(value, bool | np.ndarray):
        return value
    rule = "a finite number >= 0 or a schedule (a callable of the step)"
    if not is_real_number(value):
        raise InputTypeError(f"{name} must be {rule}, got {describe(value)}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InputValueError(f"{name} must be {rule}, got {number!r}")
    return number


def check_betas(name: str, value: Any) -> tuple[float, float]:
    """A pair ``(beta1, beta2)``, each in [0, 1)."""
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise InputTypeError(f"{name} must be a pair (beta1, beta2), got {describe(value)}")
    beta1 = check_probability(f"{name}[0]", value[0])
    beta2 = check_probability(f"{name}[1]", value[1])
    return beta1, beta2
