"""Input checks shared by every public function.

Each check raises ``InputTypeError`` (wrong kind of value, a ``TypeError``) or
``InputValueError`` (right kind, bad value, a ``ValueError``) with one message shape everywhere:
``<name> must be <rule>, got <value>``. Both are ``InputError``: the CLI turns an ``InputError``
into one line on stderr and exit code 2, and any other exception into exit code 1 with a
bug-report hint (NOTE [input errors]).

Array checks work on NumPy arrays and on torch tensors alike; torch is never imported here.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "InputError",
    "InputTypeError",
    "InputValueError",
    "check_betas",
    "check_bool",
    "check_choice",
    "check_finite_array",
    "check_finite_float",
    "check_int",
    "check_learning_rate",
    "check_matrix",
    "check_nonnegative_float",
    "check_positive_float",
    "check_positive_int",
    "check_same_rows",
    "check_seed",
    "check_unit_interval",
    "describe",
    "is_real_number",
    "is_tensor",
]


class InputError(Exception):
    """Bad input from the caller; its message says which argument, the rule and the value.

    NOTE [input errors]: every check in descentlab raises one of the two subclasses below, so a
    caller catching ``ValueError``/``TypeError`` keeps working, while the CLI tells a user's
    mistake (exit 2) from a defect in descentlab or a library under it (exit 1): a bare
    ``TypeError`` from deep inside is a bug to report, never "bad input".
    """


class InputValueError(InputError, ValueError):
    """The right kind of value, outside the rule."""


class InputTypeError(InputError, TypeError):
    """The wrong kind of value."""


def is_tensor(value: Any) -> bool:
    """True for a torch tensor, without importing torch."""
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def describe(value: Any) -> str:
    """A short, exact rendering of a received value for error messages."""
    if isinstance(value, bool):
        return f"{value} (bool)"
    if is_tensor(value) or isinstance(value, np.ndarray):
        kind = "tensor" if is_tensor(value) else "array"
        return f"{kind} of shape {tuple(value.shape)} and dtype {value.dtype}"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, numbers.Number):
        return repr(value)
    return f"{value!r} ({type(value).__name__})"


def is_real_number(value: Any) -> bool:
    """A real number: Python/NumPy scalars and 0-d arrays or tensors; never a bool."""
    if isinstance(value, bool | np.bool_):
        return False
    if is_tensor(value):
        return value.ndim == 0 and not value.dtype.is_complex and str(value.dtype) != "torch.bool"
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    return isinstance(value, numbers.Real)


def _real(name: str, value: Any, rule: str, inside: Callable[[float], bool]) -> float:
    """``value`` as a float if it is a real number for which ``inside`` holds, else the error
    ``<name> must be <rule>, got <value>`` (a type error for a non-number, a value error else)."""
    if not is_real_number(value):
        raise InputTypeError(f"{name} must be {rule}, got {describe(value)}")
    number = float(value.item()) if hasattr(value, "item") else float(value)
    if not inside(number):
        raise InputValueError(f"{name} must be {rule}, got {number!r}")
    return number


def check_bool(name: str, value: Any) -> bool:
    """``True`` or ``False`` (a NumPy bool too); ``1``, ``"yes"`` and ``None`` are refused."""
    if not isinstance(value, bool | np.bool_):
        raise InputTypeError(f"{name} must be True or False, got {describe(value)}")
    return bool(value)


# NOTE [C long]: NumPy shapes, torch sizes and SQLite INTEGER columns hold signed 64-bit
# integers; a larger Python int passes ``isinstance(value, int)`` and then fails deep inside
# with an OverflowError. Every integer check therefore refuses values above ``INT64_MAX``.
INT64_MAX = 2**63 - 1


def check_int(name: str, value: Any, *, minimum: int | None = None) -> int:
    """An integer (not a bool) that fits a C long, optionally at least ``minimum``."""
    rule = "an integer" if minimum is None else f"an integer >= {minimum}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{name} must be {rule}, got {describe(value)}")
    if minimum is not None and value < minimum:
        raise InputValueError(f"{name} must be {rule}, got {value}")
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        low = "-2**63" if minimum is None else minimum
        raise InputValueError(f"{name} must be an integer in [{low}, 2**63 - 1], got {value}")
    return int(value)


def check_positive_int(name: str, value: Any) -> int:
    """A positive integer that fits a C long: ``batch_size must be a positive integer, got 0``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{name} must be a positive integer, got {describe(value)}")
    if value <= 0:
        raise InputValueError(f"{name} must be a positive integer, got {value}")
    if value > INT64_MAX:
        raise InputValueError(f"{name} must be a positive integer <= 2**63 - 1, got {value}")
    return int(value)


def check_seed(name: str, value: Any, *, bits: int = 63) -> int:
    """A seed: an integer in ``[0, 2**bits - 1]``.

    63 bits by default, the most a store row or a C long holds (NOTE [C long]);
    scikit-learn's ``random_state`` takes 32 bits.
    """
    rule = f"an integer in [0, 2**{bits} - 1]"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{name} must be {rule}, got {describe(value)}")
    if not 0 <= value <= 2**bits - 1:
        raise InputValueError(f"{name} must be {rule}, got {value}")
    return int(value)


def check_finite_float(name: str, value: Any) -> float:
    """Any finite real number (a bool is refused)."""
    return _real(name, value, "a finite number", math.isfinite)


def check_positive_float(name: str, value: Any) -> float:
    """A finite real number > 0 (a bool is refused)."""
    return _real(name, value, "a finite positive number", lambda x: math.isfinite(x) and x > 0)


def check_nonnegative_float(name: str, value: Any) -> float:
    """A finite real number >= 0 (a bool is refused)."""
    return _real(name, value, "a finite number >= 0", lambda x: math.isfinite(x) and x >= 0)


def check_unit_interval(
    name: str, value: Any, *, open_left: bool = False, open_right: bool = True
) -> float:
    """A real number between 0 and 1, each end open or closed; by default [0, 1), the range of
    a fraction held out or a decay rate such as Adam's betas."""
    interval = ("(" if open_left else "[") + "0, 1" + (")" if open_right else "]")

    def inside(x: float) -> bool:
        above = x > 0 if open_left else x >= 0
        below = x < 1 if open_right else x <= 1
        return above and below

    return _real(name, value, f"a number in {interval}", inside)


def check_learning_rate(name: str, value: Any) -> float | Callable[[int], float]:
    """A finite number >= 0, or a schedule (any callable of the step count)."""
    if callable(value) and not isinstance(value, bool | np.ndarray):
        return value
    rule = "a finite number >= 0 or a schedule (a callable of the step)"
    return _real(name, value, rule, lambda x: math.isfinite(x) and x >= 0)


def check_betas(name: str, value: Any) -> tuple[float, float]:
    """A pair ``(beta1, beta2)``, each in [0, 1)."""
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise InputTypeError(f"{name} must be a pair (beta1, beta2), got {describe(value)}")
    return check_unit_interval(f"{name}[0]", value[0]), check_unit_interval(f"{name}[1]", value[1])


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """One of a fixed set of strings."""
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise InputValueError(f"{name} must be one of {options}, got {describe(value)}")
    return value


def _isfinite_all(array: Any) -> tuple[bool, tuple[int, ...] | None]:
    if is_tensor(array):
        import torch  # local: only reached when a tensor was passed, so torch is loaded

        bad = ~torch.isfinite(array)
        if not bool(bad.any()):
            return True, None
        first = torch.nonzero(bad)[0]
        return False, tuple(int(i) for i in first)
    bad = ~np.isfinite(array)
    if not bad.any():
        return True, None
    return False, tuple(int(i) for i in np.argwhere(bad)[0])


def _check_numeric_dtype(name: str, array: Any) -> None:
    if is_tensor(array):
        if array.dtype.is_complex or str(array.dtype) == "torch.bool":
            raise InputTypeError(f"{name} must hold real numbers, got {describe(array)}")
        return
    if array.dtype.kind not in "iuf":
        raise InputTypeError(f"{name} must hold real numbers, got {describe(array)}")


def check_finite_array(name: str, array: Any) -> None:
    """Every entry finite: ``X must contain only finite values, got nan at index (3, 0)``."""
    ok, where = _isfinite_all(array)
    if not ok:
        value = array[where].item() if where else array.item()
        raise InputValueError(
            f"{name} must contain only finite values, got {value} at index {where}"
        )


def check_matrix(name: str, array: Any, *, columns: int | None = None) -> None:
    """A non-empty, finite, real 2-D array or tensor, optionally with a fixed column count."""
    if not (isinstance(array, np.ndarray) or is_tensor(array)):
        raise InputTypeError(
            f"{name} must be a 2-D NumPy array or torch tensor, got {describe(array)}"
        )
    if array.ndim != 2:
        raise InputValueError(f"{name} must be 2-D of shape (m, n), got shape {tuple(array.shape)}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise InputValueError(f"{name} must not be empty, got shape {tuple(array.shape)}")
    if columns is not None and array.shape[1] != columns:
        raise InputValueError(
            f"{name} must have {columns} column(s), got shape {tuple(array.shape)}"
        )
    _check_numeric_dtype(name, array)
    check_finite_array(name, array)


def check_same_rows(name_a: str, rows_a: int, name_b: str, rows_b: int) -> None:
    """Two arrays with the same number of samples."""
    if rows_a != rows_b:
        raise InputValueError(
            f"{name_a} and {name_b} must have the same number of rows, got {rows_a} and {rows_b}"
        )
