"""Arrays as readable JSON for case files (the worker pipe uses the exact records of
:mod:`descentlab.grade.inside.wire`).

A case-file array is ``{"dtype": "float64", "shape": [m, n], "data": [[...], ...]}``; a 0-d array
has ``"shape": []`` and a bare number as ``"data"``. Floats are written with Python's shortest
round-trip ``repr``, so decoding gives back the same bits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from descentlab.validation import InputTypeError, InputValueError

__all__ = [
    "READABLE_DTYPES",
    "decode_readable",
    "encode_readable",
    "is_array_record",
]

READABLE_DTYPES = ("float64", "float32", "int64", "int32")


def is_array_record(value: Any) -> bool:
    """True for a mapping with the keys of an encoded array."""
    return isinstance(value, dict) and {"dtype", "shape", "data"} <= value.keys()


def encode_readable(array: Any) -> dict[str, Any]:
    """A NumPy array (or scalar) as a readable record with nested-list data."""
    array = np.asarray(array)
    if array.dtype.name not in READABLE_DTYPES:
        raise InputTypeError(
            f"array must have one of the dtypes {', '.join(READABLE_DTYPES)}, got {array.dtype}"
        )
    return {"dtype": array.dtype.name, "shape": list(array.shape), "data": array.tolist()}


def decode_readable(record: Any, name: str = "array") -> np.ndarray:
    """The array described by a readable record; a fresh array on every call."""
    if not is_array_record(record):
        raise InputValueError(
            f"{name} must be an object with dtype, shape and data, got {record!r}"
        )
    dtype = record["dtype"]
    if dtype not in READABLE_DTYPES:
        raise InputValueError(
            f"{name}.dtype must be one of {', '.join(READABLE_DTYPES)}, got {dtype!r}"
        )
    shape = tuple(record["shape"])
    array = np.array(record["data"], dtype=dtype)
    if array.shape != shape:
        raise InputValueError(f"{name}.data must have shape {shape}, got shape {array.shape}")
    return array
