"""Arrays as JSON: readable nested lists for case files, exact base64 bytes for the worker pipe.

A case-file array is ``{"dtype": "float64", "shape": [m, n], "data": [[...], ...]}``; a 0-d array
has ``"shape": []`` and a bare number as ``"data"``. Floats are written with Python's shortest
round-trip ``repr``, so decoding gives back the same bits.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

__all__ = [
    "READABLE_DTYPES",
    "decode_readable",
    "decode_wire",
    "encode_readable",
    "encode_wire",
    "is_array_record",
]

READABLE_DTYPES = ("float64", "float32", "int64", "int32")

# NOTE [wire dtypes]: only plain numeric dtypes cross the pipe; an object or structured array from a
# learner's function is described by its type name instead (see worker.package), so decoding never
# builds anything but numbers.
_WIRE_KINDS = "biufc"


def is_array_record(value: Any) -> bool:
    """True for a mapping with the keys of an encoded array."""
    return isinstance(value, dict) and {"dtype", "shape", "data"} <= value.keys()


def encode_readable(array: Any) -> dict[str, Any]:
    """A NumPy array (or scalar) as a readable record with nested-list data."""
    array = np.asarray(array)
    if array.dtype.name not in READABLE_DTYPES:
        raise TypeError(
            f"array must have one of the dtypes {', '.join(READABLE_DTYPES)}, got {array.dtype}"
        )
    return {"dtype": array.dtype.name, "shape": list(array.shape), "data": array.tolist()}


def decode_readable(record: Any, name: str = "array") -> np.ndarray:
    """The array described by a readable record; a fresh array on every call."""
    if not is_array_record(record):
        raise ValueError(f"{name} must be an object with dtype, shape and data, got {record!r}")
    dtype = record["dtype"]
    if dtype not in READABLE_DTYPES:
        raise ValueError(f"{name}.dtype must be one of {', '.join(READABLE_DTYPES)}, got {dtype!r}")
    shape = tuple(record["shape"])
    array = np.array(record["data"], dtype=dtype)
    if array.shape != shape:
        raise ValueError(f"{name}.data must have shape {shape}, got shape {array.shape}")
    return array


def encode_wire(array: np.ndarray) -> dict[str, Any]:
    """A numeric array as dtype, shape and its raw bytes in base64 (exact, NaN included)."""
    array = np.asarray(array).copy(order="C")
    if array.dtype.kind not in _WIRE_KINDS:
        raise TypeError(f"array must have a numeric dtype, got {array.dtype}")
    return {
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "data": base64.b64encode(array.tobytes()).decode("ascii"),
    }


def decode_wire(record: dict[str, Any]) -> np.ndarray:
    """The array sent by :func:`encode_wire`; refuses anything but a plain numeric dtype."""
    dtype = np.dtype(record["dtype"])
    if dtype.kind not in _WIRE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(f"dtype must be a plain numeric dtype, got {dtype}")
    raw = base64.b64decode(record["data"])
    return np.frombuffer(raw, dtype=dtype).reshape(record["shape"]).copy()
