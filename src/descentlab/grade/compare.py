"""Judging what a call returned against the expected values of a case.

Rules, applied to every returned value in this order (each failure is one feedback line):

1. *count*: the function returns a tuple (or list) with one entry per output, e.g.
   ``(new_weight, mse)``; ``None`` and a single value get their own messages.
2. *type*: a NumPy array, a NumPy scalar, a PyTorch tensor (converted with
   ``.detach().cpu().numpy()``) or a Python float. Lists, strings and other objects are refused.
3. *dtype*: floating point of any precision (float64, float32, ...). Integers, booleans and
   complex numbers are refused: they mean a value was truncated or mistyped.
4. *shape* (NOTE [shape rule]): exactly the shape of the expected value, which is the shape of the
   incoming weight for ``new_weight`` ((n, 1) stays (n, 1), a scalar stays a scalar) and ``()`` for
   a loss. ``(n,)`` for ``(n, 1)`` or ``(1, 1)`` for a scalar is wrong: a caller that stacks or
   multiplies the result would silently broadcast. The feedback says when a reshape would fix it.
5. *finite*: no NaN or infinity.
6. *value*: ``numpy.allclose(received, expected)`` with its default tolerances, in float64.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.grade.inside.wire import decode_wire

__all__ = ["Issue", "OutputCheck", "check_output", "check_return", "received_array"]

_ACCEPTED = {"ndarray", "tensor", "numpy_scalar", "python_float", "python_int"}


@dataclass(frozen=True)
class Issue:
    """One problem found: a stable ``code`` (see FORMAT.md) and a message for the learner."""

    code: str
    message: str


@dataclass(frozen=True)
class OutputCheck:
    """The verdict on one returned value.

    ``value`` is the received value in float64 with the expected shape whenever it has the
    expected number of finite or non-finite numbers (used by the diagnosis), else None;
    ``received`` describes what came back (type, dtype, shape, data) for reports.
    """

    name: str
    ok: bool
    issue: Issue | None
    value: np.ndarray | None
    received: dict[str, Any]


def received_array(packaged: dict[str, Any]) -> np.ndarray | None:
    """The numeric array inside a packaged value, if it was sent."""
    record = packaged.get("array")
    return None if record is None else decode_wire(record)


def _describe(packaged: dict[str, Any], array: np.ndarray | None) -> dict[str, Any]:
    described = {k: packaged[k] for k in ("type", "dtype", "shape", "repr") if k in packaged}
    if array is not None and array.dtype.kind in "biuf":
        described["data"] = array.tolist()
    return described


def _shape_text(shape: Sequence[int]) -> str:
    return f"shape {tuple(shape)}"


def check_output(
    name: str, packaged: dict[str, Any], expected: np.ndarray, rule: str = ""
) -> OutputCheck:
    """Apply the rules of this module to one returned value."""
    kind = packaged.get("kind")
    array = received_array(packaged) if kind in _ACCEPTED else None
    received = _describe(packaged, array)

    def fail(code: str, message: str, value: np.ndarray | None = None) -> OutputCheck:
        return OutputCheck(name, False, Issue(code, message), value, received)

    if kind == "none":
        return fail("wrong_type", f"{name} is None")
    if kind == "other" and "dtype" in packaged:
        return fail(
            "wrong_dtype", f"{name} must hold floating-point numbers, got dtype {packaged['dtype']}"
        )
    if kind not in _ACCEPTED:
        return fail(
            "wrong_type",
            f"{name} must be a NumPy array, a torch tensor or a float, got {packaged.get('type')}",
        )
    shape = tuple(packaged.get("shape", ()))
    dtype = str(packaged.get("dtype"))
    coerced = None
    if array is not None and array.size == expected.size and array.dtype.kind in "biuf":
        coerced = array.astype(np.float64).reshape(expected.shape)
    if array is not None and array.dtype.kind != "f":
        return fail(
            "wrong_dtype", f"{name} must hold floating-point numbers, got dtype {dtype}", coerced
        )
    if shape != expected.shape or coerced is None:
        hint = ""
        if coerced is not None:
            hint = " (the values have the right count: reshape before returning)"
        where = f" ({rule})" if rule else ""
        return fail(
            "wrong_shape",
            f"{name} must have {_shape_text(expected.shape)}{where}, "
            f"got {_shape_text(shape)}{hint}",
            coerced,
        )
    if not np.all(np.isfinite(coerced)):
        bad = "nan" if np.any(np.isnan(coerced)) else "inf"
        return fail("not_finite", f"{name} must be finite, got {bad}", coerced)
    if not np.allclose(coerced, expected):
        difference = float(np.max(np.abs(coerced - expected)))
        return fail(
            "wrong_value",
            f"{name} differs from the expected value (largest difference {difference:.3g})",
            coerced,
        )
    return OutputCheck(name, True, None, coerced, received)


def check_return(
    result: dict[str, Any],
    outputs: Sequence[str],
    expected: dict[str, np.ndarray],
    rules: dict[str, str],
) -> tuple[list[OutputCheck], Issue | None]:
    """Check the count of returned values, then each one; the issue is a count problem."""
    wanted = f"({', '.join(outputs)})"
    kind = result.get("kind")
    if kind == "none":
        return [], Issue(
            "returned_none", f"returned None instead of {wanted}: is a return statement missing?"
        )
    if kind != "sequence":
        return [], Issue(
            "wrong_count",
            f"returned one value ({result.get('type')}) instead of {len(outputs)}: {wanted}",
        )
    if result["length"] != len(outputs):
        return [], Issue(
            "wrong_count", f"returned {result['length']} values instead of {len(outputs)}: {wanted}"
        )
    checks = [
        check_output(name, item, expected[name], rules.get(name, ""))
        for name, item in zip(outputs, result["items"], strict=True)
    ]
    return checks, None
