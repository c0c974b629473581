"""What a learner's code leaves behind, made safe to send: printed text, exceptions and values.

Used inside the worker process: :class:`CappedWriter` replaces ``sys.stdout``/``sys.stderr``,
:func:`describe_error` keeps the traceback frames in the learner's own files, and :func:`package`
turns a returned value into JSON (arrays as exact wire records; PyTorch tensors through
``.detach().cpu().numpy()``, TensorFlow tensors and variables through ``.numpy()``, NOTE [tensorflow
values]; anything else by type name and a short repr).
"""

from __future__ import annotations

import io
import reprlib
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from .wire import encode_wire

__all__ = ["MAX_RETURNED_ELEMENTS", "OUTPUT_LIMIT", "CappedWriter", "describe_error", "package"]

OUTPUT_LIMIT = 2000
MAX_RETURNED_ELEMENTS = 1_000_000


class CappedWriter:
    """A text stream that keeps the first ``limit`` characters and counts the rest.

    A plain class rather than an ``io.TextIOBase``: ``print`` calls ``write`` several times per
    line, and a submission that prints in a loop should not spend its time limit in the capture.
    """

    __slots__ = ("kept", "limit", "parts", "total")
    encoding = "utf-8"
    errors = "strict"

    def __init__(self, limit: int = OUTPUT_LIMIT) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.total = 0

    def write(self, text: str) -> int:
        size = len(text)
        self.total += size
        if self.kept < self.limit:
            piece = text[: self.limit - self.kept]
            self.parts.append(piece)
            self.kept += len(piece)
        return size

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        raise io.UnsupportedOperation("the grader captures output in memory")

    def getvalue(self) -> str:
        return "".join(self.parts)


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


_NARROW_FLOATS = ("bfloat16", "float16", "float8_e4m3fn", "float8_e5m2")


def _is_tf_value(value: Any) -> bool:
    """A TensorFlow ``EagerTensor``/``ResourceVariable`` or a Keras 3 variable (told apart by the
    module of its type, so that nothing imports TensorFlow here)."""
    module = type(value).__module__
    return module.startswith(("tensorflow", "keras")) and hasattr(value, "numpy")


def _tf_record(value: Any) -> dict[str, Any]:
    """NOTE [tensorflow values]: a TensorFlow value is converted here, inside the sandbox, with its
    own ``.numpy()`` (eager tensors and variables); what crosses the pipe is a plain array, and the
    dtype is reported by TensorFlow's name (``tf.float32``) so that the tolerance is the one of the
    precision the learner computed in. Formats narrower than float32 (``bfloat16``, whose NumPy
    type is an ``ml_dtypes`` extension, and ``float16``) are widened to float32 exactly, as torch's
    are; the comparison then refuses them by their name. A symbolic tensor (graph mode) has no
    value: its ``.numpy()`` fails and it is described by its repr instead, as is a ragged tensor,
    whose rows are separate arrays."""
    name = str(getattr(value.dtype, "name", value.dtype))
    array = np.asarray(value.numpy())
    if array.dtype.kind == "O":  # a ragged tensor: rows of arrays, described by its type instead
        raise TypeError(f"{type(value).__name__} holds no plain array")
    if name in _NARROW_FLOATS:
        array = array.astype(np.float32)
    framework = "keras" if type(value).__module__.startswith("keras") else "tf"
    kind_name = f"{framework}.{'Variable' if 'Variable' in type(value).__name__ else 'Tensor'}"
    return _array_record("tensor", array, kind_name, f"tf.{name}")


def _array_record(kind: str, array: np.ndarray, type_name: str, dtype: str) -> dict[str, Any]:
    record = {"kind": kind, "type": type_name, "dtype": dtype, "shape": list(array.shape)}
    if array.dtype.kind not in "biufc":
        return {**record, "kind": "other"}
    if array.size > MAX_RETURNED_ELEMENTS:
        return {**record, "array": None}
    return {**record, "array": encode_wire(array)}


def package(value: Any, top: bool = True) -> dict[str, Any]:
    """A JSON-able description of a returned value (arrays included when numeric)."""
    type_name = type(value).__name__
    if value is None:
        return {"kind": "none", "type": "None"}
    if top and isinstance(value, tuple | list):
        return {
            "kind": "sequence",
            "type": type_name,
            "length": len(value),
            "items": [package(v, top=False) for v in value[:8]],
        }
    try:
        if _is_tensor(value):
            tensor = value.detach().cpu()
            if tensor.dtype.is_floating_point and tensor.element_size() < 4:
                tensor = tensor.float()
            return _array_record(
                "tensor", tensor.resolve_conj().numpy(), "torch.Tensor", str(value.dtype)
            )
        if _is_tf_value(value):
            return _tf_record(value)
        if isinstance(value, np.ndarray):
            return _array_record("ndarray", value, "numpy.ndarray", str(value.dtype))
        if isinstance(value, np.generic):
            array = np.asarray(value)
            return _array_record("numpy_scalar", array, f"numpy.{type_name}", str(array.dtype))
        if not isinstance(value, bool) and isinstance(value, int | float):
            kind = "python_float" if isinstance(value, float) else "python_int"
            return _array_record(kind, np.asarray(value), type_name, type_name)
    except Exception:  # the value's own methods may raise anything (a graph tensor's .numpy())
        pass
    try:
        text = reprlib.repr(value)
    except Exception:
        text = f"<{type_name} object>"
    return {"kind": "other", "type": type_name, "repr": text}


def describe_error(error: BaseException, filenames: set[str]) -> dict[str, Any]:
    """Type, message and the traceback frames that lie in the learner's own code."""
    frames = [
        [
            Path(f.filename).name if Path(f.filename).is_file() else f.filename,
            f.lineno,
            f.name,
            (f.line or "").strip(),
        ]
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename in filenames
    ]
    try:
        message = str(error)[:1000]
    except Exception:
        message = "(the exception's message could not be turned into text)"
    described: dict[str, Any] = {
        "type": type(error).__name__,
        "message": message,
        "frames": frames[-5:],
    }
    if isinstance(error, SyntaxError):
        name = error.filename or ""
        described.update(
            message=error.msg,
            filename=Path(name).name if Path(name).is_file() else name,
            lineno=error.lineno,
            text=(error.text or "").rstrip(),
        )
    return described
