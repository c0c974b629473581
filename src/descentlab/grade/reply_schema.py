"""The strict shape of every message a worker may send (NOTE [untrusted child]).

The worker runs the learner's code, which can write anything to the channel. :func:`check_reply`
accepts a reply only when it has exactly the keys of its request's reply, each of the right type
and within bounds; arrays must decode to a plain numeric dtype with the bytes their shape needs.
Anything else raises :class:`BadReplyError`, whose message says what was wrong; the grader then
counts that case as crashed and starts a fresh worker, never raising itself.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

import numpy as np

from descentlab.grade.inside.wire import WIRE_KINDS
from descentlab.validation import InputValueError

__all__ = ["MAX_ELEMENTS", "BadReplyError", "check_array", "check_reply"]

MAX_ELEMENTS = 10_000_000
_MAX_TEXT = 100_000
_MAX_NAMES = 64
_KINDS = {"none", "sequence", "ndarray", "tensor", "numpy_scalar", "python_float", "python_int"}


class BadReplyError(Exception):
    """A worker message that does not follow the schema."""


def _fail(where: str, rule: str, value: Any) -> BadReplyError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return BadReplyError(f"{where} must be {rule}, got {shown}")


def _keys(message: Any, where: str, required: set[str], optional: set[str] = frozenset()) -> None:
    if not isinstance(message, dict):
        raise _fail(where, "an object", type(message).__name__)
    keys = set(message)
    if not required <= keys or not keys <= required | optional:
        wanted = sorted(required) + [f"{k}?" for k in sorted(optional)]
        raise _fail(f"{where} keys", f"{wanted}", sorted(keys))


def _text(value: Any, where: str, limit: int = _MAX_TEXT) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise _fail(where, f"a string of at most {limit} characters", value)
    return value


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(where, "a non-negative integer", value)
    return value


def check_array(record: Any, where: str) -> np.ndarray:
    """Decode an array record strictly: a plain numeric dtype, a valid shape, exact byte count."""
    _keys(record, where, {"dtype", "shape", "data"})
    dtype_text = _text(record["dtype"], f"{where}.dtype", 16)
    try:
        dtype = np.dtype(dtype_text)
    except TypeError:
        raise _fail(f"{where}.dtype", "a NumPy dtype", dtype_text) from None
    if dtype.kind not in WIRE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise _fail(f"{where}.dtype", "a plain numeric dtype", dtype_text)
    shape = record["shape"]
    if not isinstance(shape, list) or len(shape) > 8:
        raise _fail(f"{where}.shape", "a list of at most 8 sizes", shape)
    for size in shape:
        _count(size, f"{where}.shape")
    elements = math.prod(shape)
    if elements > MAX_ELEMENTS:
        raise _fail(f"{where}.shape", f"at most {MAX_ELEMENTS} elements", shape)
    data = _text(record["data"], f"{where}.data", 4 * MAX_ELEMENTS * 16 // 3 + 8)
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(f"{where}.data", "base64", data) from None
    if len(raw) != elements * dtype.itemsize:
        raise _fail(f"{where}.data", f"{elements * dtype.itemsize} bytes", f"{len(raw)} bytes")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _check_packaged(value: Any, where: str, *, top: bool) -> None:
    if not isinstance(value, dict):
        raise _fail(where, "an object", type(value).__name__)
    kind = value.get("kind")
    if kind == "none":
        _keys(value, where, {"kind", "type"})
    elif kind == "sequence" and top:
        _keys(value, where, {"kind", "type", "length", "items"})
        _count(value["length"], f"{where}.length")
        items = value["items"]
        if not isinstance(items, list) or len(items) > min(8, value["length"]):
            raise _fail(f"{where}.items", "a list of at most 8 values", items)
        if len(items) != min(8, value["length"]):
            raise _fail(f"{where}.items", f"{min(8, value['length'])} values", len(items))
        for number, item in enumerate(items):
            _check_packaged(item, f"{where}.items[{number}]", top=False)
    elif kind in _KINDS - {"none", "sequence"}:
        _keys(value, where, {"kind", "type", "dtype", "shape", "array"})
        _text(value["dtype"], f"{where}.dtype", 64)
        if not isinstance(value["shape"], list) or len(value["shape"]) > 32:
            raise _fail(f"{where}.shape", "a list of sizes", value["shape"])
        for size in value["shape"]:
            _count(size, f"{where}.shape")
        if value["array"] is not None:
            array = check_array(value["array"], f"{where}.array")
            if list(array.shape) != value["shape"]:
                raise _fail(
                    f"{where}.shape", f"the array's shape {list(array.shape)}", value["shape"]
                )
    elif kind == "other":
        _keys(value, where, {"kind", "type"}, {"repr", "dtype", "shape"})
        _text(value.get("repr", ""), f"{where}.repr", 1000)
        _text(value.get("dtype", ""), f"{where}.dtype", 64)
        if "shape" in value and not isinstance(value["shape"], list):
            raise _fail(f"{where}.shape", "a list", value["shape"])
    else:
        raise _fail(f"{where}.kind", f"one of {sorted(_KINDS | {'other'})}", kind)
    _text(value["type"], f"{where}.type", 200)


def _check_error(error: Any, where: str) -> None:
    _keys(error, where, {"type", "message", "frames"}, {"filename", "lineno", "text"})
    _text(error["type"], f"{where}.type", 200)
    _text(error["message"], f"{where}.message", 2000)
    frames = error["frames"]
    if not isinstance(frames, list) or len(frames) > 5:
        raise _fail(f"{where}.frames", "a list of at most 5 frames", frames)
    for frame in frames:
        ok = (
            isinstance(frame, list)
            and len(frame) == 4
            and isinstance(frame[0], str)
            and (frame[1] is None or isinstance(frame[1], int))
            and isinstance(frame[2], str)
            and isinstance(frame[3], str)
        )
        if not ok or sum(len(str(part)) for part in frame) > 2000:
            raise _fail(f"{where}.frames", "[file, line, function, text] entries", frame)
    if "filename" in error:
        _text(error["filename"] or "", f"{where}.filename", 500)
    if "lineno" in error and error["lineno"] is not None:
        _count(error["lineno"], f"{where}.lineno")
    if "text" in error:
        _text(error["text"] or "", f"{where}.text", 2000)


def _check_output(reply: dict[str, Any]) -> None:
    _text(reply["output"], "reply.output")
    _count(reply["output_chars"], "reply.output_chars")


def check_reply(op: str, reply: Any, *, names: list[str] | None = None, n_args: int = 0) -> None:
    """Raise BadReplyError unless ``reply`` is a well-formed reply to request ``op``.

    ``names`` are the functions a ``load`` asked for; ``n_args`` the arguments a ``call`` sent.
    """
    if op == "init":
        _keys(reply, "reply", {"ok", "warmed", "failed"})
        for key in ("warmed", "failed"):
            if not isinstance(reply[key], list) or len(reply[key]) > 8:
                raise _fail(f"reply.{key}", "a short list of names", reply[key])
            for name in reply[key]:
                _text(name, f"reply.{key}", 64)
        return
    if op == "load":
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            raise _fail("reply.ok", "true or false", reply)
        if reply["ok"]:
            _keys(reply, "reply", {"ok", "found", "notes", "output", "output_chars"})
            notes = reply["notes"]
            if not isinstance(notes, list) or len(notes) > 8:
                raise _fail("reply.notes", "a list of at most 8 notes", notes)
            for note in notes:
                _text(note, "reply.notes", 1000)
            found = reply["found"]
            if not isinstance(found, dict) or not set(found) <= set(names or ()):
                raise _fail("reply.found", f"an object with keys among {names}", found)
            for name, parameters in found.items():
                if parameters is None:
                    continue
                if not isinstance(parameters, list) or len(parameters) > _MAX_NAMES:
                    raise _fail(f"reply.found.{name}", "a list of parameter names", parameters)
                for parameter in parameters:
                    _text(parameter, f"reply.found.{name}", 200)
        else:
            _keys(reply, "reply", {"ok", "error", "output", "output_chars"})
            _check_error(reply["error"], "reply.error")
        _check_output(reply)
        return
    if op == "call":
        if not isinstance(reply, dict):
            raise _fail("reply", "an object", type(reply).__name__)
        status = reply.get("status")
        if status == "returned":
            _keys(reply, "reply", {"status", "result", "arguments", "output", "output_chars"})
            _check_packaged(reply["result"], "reply.result", top=True)
        elif status == "raised":
            _keys(reply, "reply", {"status", "error", "arguments", "output", "output_chars"})
            _check_error(reply["error"], "reply.error")
        else:
            raise _fail("reply.status", "'returned' or 'raised'", status)
        arguments = reply["arguments"]
        if not isinstance(arguments, list) or len(arguments) != n_args:
            raise _fail("reply.arguments", f"a list of {n_args} entries", arguments)
        for number, record in enumerate(arguments):
            if record is not None:
                check_array(record, f"reply.arguments[{number}]")
        _check_output(reply)
        return
    raise InputValueError(f"op must be 'init', 'load' or 'call', got {op!r}")
