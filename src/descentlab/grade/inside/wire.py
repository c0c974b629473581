"""Numeric arrays as exact JSON records: dtype, shape and the raw bytes in base64.

NOTE [wire dtypes]: only plain numeric dtypes cross the pipe; an object or structured array from a
learner's function is described by its type name instead (see :func:`.capture.package`), so
decoding never builds anything but numbers.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

__all__ = ["WIRE_KINDS", "decode_wire", "encode_wire"]

WIRE_KINDS = "biufc"

# Bound once at import, before any learner code runs, so that a submission that patches NumPy or
# base64 in its own process changes nothing here (the grader checks every record anyway).
_b64encode = base64.b64encode
_b64decode = base64.b64decode
_asarray = np.asarray
_frombuffer = np.frombuffer


def encode_wire(array: Any) -> dict[str, Any]:
    """A numeric array as ``{"dtype", "shape", "data"}`` (exact, NaN included)."""
    array = _asarray(array).copy(order="C")
    if array.dtype.kind not in WIRE_KINDS:
        raise TypeError(f"array must have a numeric dtype, got {array.dtype}")
    return {
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "data": _b64encode(array.tobytes()).decode("ascii"),
    }


def decode_wire(record: dict[str, Any]) -> np.ndarray:
    """The array sent by :func:`encode_wire`; refuses anything but a plain numeric dtype."""
    dtype = np.dtype(record["dtype"])
    if dtype.kind not in WIRE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(f"dtype must be a plain numeric dtype, got {dtype}")
    raw = _b64decode(record["data"], validate=True)
    return _frombuffer(raw, dtype=dtype).reshape(record["shape"]).copy()
