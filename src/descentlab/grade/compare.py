"""Judging what a call returned against the expected values of a case.

Rules, applied to every returned value in this order (each failure is one feedback line):

1. *count*: the function returns a tuple (or list) with one entry per output, e.g.
   ``(new_weight, mse)``; ``None`` and a single value get their own messages.
2. *type*: a NumPy array, a NumPy scalar, a PyTorch tensor (converted with
   ``.detach().cpu().numpy()``), a TensorFlow tensor or variable (converted with ``.numpy()``
   inside the sandbox, NOTE [tensorflow values]) or a Python float. Lists, strings and other
   objects are refused.
3. *dtype*: floating point of any precision (float64, float32, ...). Integers, booleans and
   complex numbers are refused: they mean a value was truncated or mistyped.
4. *shape* (NOTE [shape rule]): exactly the shape of the expected value, which is the shape of the
   incoming weight for ``new_weight`` ((n, 1) stays (n, 1), a scalar stays a scalar) and ``()`` for
   a loss. ``(n,)`` for ``(n, 1)`` or ``(1, 1)`` for a scalar is wrong: a caller that stacks or
   multiplies the result would silently broadcast. The feedback says when a reshape would fix it.
5. *finite*: no NaN or infinity.
6. *value*: ``|received - expected| <= tolerance`` elementwise, in float64, where the absolute
   tolerance is a forward error bound of the computation at the precision of the returned dtype
   (NOTE [forward error bound] in :mod:`descentlab.grade.tolerance`): float32 values get float32's
   bound, float64 values float64's. NOTE [float32 fallback]: a float64 value (or Python float)
   that misses the float64 bound but is within the float32 one passes with a note, because the
   usual cause is a correct float32 computation converted on return (``loss.item()`` in torch).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.grade.inside.wire import decode_wire
from descentlab.grade.tolerance import FLOAT32_ROUNDOFF, unit_roundoff

__all__ = [
    "Issue",
    "OutputCheck",
    "ToleranceAt",
    "check_output",
    "check_return",
    "received_array",
    "received_roundoff",
]

ToleranceAt = Callable[[float], Mapping[str, np.ndarray]]
"""A case's absolute tolerance per output at a unit roundoff ``u``, e.g.
``functools.partial(gradable.tolerance, case.inputs)``."""

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
    ``received`` describes what came back (type, dtype, shape, data) for reports; ``note`` is
    feedback on a value that passed (NOTE [float32 fallback]); ``also`` a second problem found
    behind the first (wrong values behind a wrong shape).
    """

    name: str
    ok: bool
    issue: Issue | None
    value: np.ndarray | None
    received: dict[str, Any]
    note: str | None = None
    also: Issue | None = None

    @property
    def issues(self) -> tuple[Issue, ...]:
        return tuple(i for i in (self.issue, self.also) if i is not None)


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


def received_roundoff(packaged: dict[str, Any], array: np.ndarray) -> float:
    """The unit roundoff of the dtype a value was returned in (``"torch.bfloat16"``,
    ``"float32"``, ``"float"`` for a Python float), else of the array that carried it."""
    try:
        return unit_roundoff(str(packaged.get("dtype")))
    except ValueError:
        return unit_roundoff(array.dtype)


def _outside(difference: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    return ~(difference <= tolerance)


def _wrong_value(name: str, difference: np.ndarray, tolerance: np.ndarray) -> str:
    outside = _outside(difference, tolerance)
    worst = np.flatnonzero(outside)[np.argmax(difference[outside])]
    return (
        f"{name} differs from the expected value (largest difference "
        f"{difference.flat[worst]:.3g}, tolerance {tolerance.flat[worst]:.3g})"
    )


def _value_behind(
    name: str, value: np.ndarray, expected: np.ndarray, tolerance: Callable[[float], np.ndarray]
) -> Issue | None:
    """A wrong value behind a wrong shape, judged at float32's bound (the more lenient
    one), so that fixing the shape does not reveal a second failure unannounced."""
    if not np.all(np.isfinite(value)):
        return None
    difference = np.abs(value - expected)
    bound = np.broadcast_to(tolerance(FLOAT32_ROUNDOFF), expected.shape)
    if not np.any(_outside(difference, bound)):
        return None
    return Issue("wrong_value", _wrong_value(name, difference, bound) + " (reshaped to compare)")


def check_output(
    name: str,
    packaged: dict[str, Any],
    expected: np.ndarray,
    rule: str = "",
    *,
    tolerance: Callable[[float], np.ndarray],
) -> OutputCheck:
    """Apply the rules of this module to one returned value.

    ``tolerance(u)`` is the absolute tolerance (shaped like ``expected``) of a value computed at
    unit roundoff ``u``; it is asked for the returned dtype's ``u``, and for float32's when a finer
    dtype misses its own bound.
    """
    kind = packaged.get("kind")
    array = received_array(packaged) if kind in _ACCEPTED else None
    received = _describe(packaged, array)

    def fail(code: str, message: str, value: np.ndarray | None = None) -> OutputCheck:
        also = None
        if code == "wrong_shape" and value is not None:
            also = _value_behind(name, value, expected, tolerance)
        return OutputCheck(name, False, Issue(code, message), value, received, also=also)

    if kind == "none":
        return fail("wrong_type", f"{name} is None")
    if kind == "other" and "dtype" in packaged:
        return fail(
            "wrong_dtype", f"{name} must hold floating-point numbers, got dtype {packaged['dtype']}"
        )
    if kind not in _ACCEPTED:
        return fail(
            "wrong_type",
            f"{name} must be a NumPy array, a torch or TensorFlow tensor or a float, "
            f"got {packaged.get('type')}",
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
    difference = np.abs(coerced - expected)
    u = received_roundoff(packaged, array)
    if u > FLOAT32_ROUNDOFF:
        return fail(
            "wrong_dtype",
            f"{name} must be float32 or float64, got dtype {dtype}: half precision keeps about "
            "3 significant digits, too few to tell a correct step from a wrong one",
            coerced,
        )
    bound = np.broadcast_to(tolerance(u), expected.shape)
    if not np.any(_outside(difference, bound)):
        return OutputCheck(name, True, None, coerced, received)
    if u < FLOAT32_ROUNDOFF:
        bound = np.broadcast_to(tolerance(FLOAT32_ROUNDOFF), expected.shape)
        if not np.any(_outside(difference, bound)):
            note = f"{name} agrees to float32 precision only (computed in float32 and converted?)"
            return OutputCheck(name, True, None, coerced, received, note)
    return fail("wrong_value", _wrong_value(name, difference, bound), coerced)


def check_return(
    result: dict[str, Any],
    outputs: Sequence[str],
    expected: dict[str, np.ndarray],
    rules: dict[str, str],
    *,
    tolerance: ToleranceAt,
) -> tuple[list[OutputCheck], Issue | None]:
    """Check the count of returned values, then each one; the issue is a count problem.

    ``tolerance(u)`` gives the absolute tolerance of every output at unit roundoff ``u``
    (see :func:`check_output`); it is called at most once per ``u``.
    """
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
    computed: dict[float, Mapping[str, np.ndarray]] = {}

    def at(u: float) -> Mapping[str, np.ndarray]:
        if u not in computed:
            computed[u] = tolerance(u)
        return computed[u]

    checks = [
        check_output(
            name, item, expected[name], rules.get(name, ""), tolerance=lambda u, n=name: at(u)[n]
        )
        for name, item in zip(outputs, result["items"], strict=True)
    ]
    return checks, None
