"""The worker process: loads one submission and calls its functions on request (child side).

Started by :mod:`descentlab.grade.sandbox` as ``python -c`` with this module's :func:`main`. It
talks to the grader over its original stdin/stdout (see :mod:`.protocol`); file descriptors 0, 1
and 2 are then pointed at ``/dev/null`` so the learner's ``print``, ``input`` and C-level writes
cannot disturb the channel, and ``sys.stdout``/``sys.stderr`` become a capped in-memory buffer.

Requests: ``init`` (``sys.path``, memory limit), ``load`` (a :mod:`.loader` spec and the names to
look up), ``call`` (a function name and its arguments). Loading may map up to 4 × ``memory_mb``
more address space (imports), each call ``memory_mb`` more than the loaded submission had (NOTE
[memory limit]). Every call gets fresh copies of its array
arguments, and the originals are compared afterwards to catch in-place modification.
"""

from __future__ import annotations

import io
import os
import reprlib
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from descentlab.grade import loader
from descentlab.grade.arrays import decode_wire, encode_wire
from descentlab.grade.protocol import ChannelClosedError, read_message, write_message

__all__ = ["OUTPUT_LIMIT", "main"]

OUTPUT_LIMIT = 2000
_LOAD_FACTOR = 4
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
        if isinstance(value, np.ndarray):
            return _array_record("ndarray", value, "numpy.ndarray", str(value.dtype))
        if isinstance(value, np.generic):
            array = np.asarray(value)
            return _array_record("numpy_scalar", array, f"numpy.{type_name}", str(array.dtype))
        if not isinstance(value, bool) and isinstance(value, int | float):
            kind = "python_float" if isinstance(value, float) else "python_int"
            return _array_record(kind, np.asarray(value), type_name, type_name)
    except (TypeError, ValueError, RuntimeError, OverflowError):
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


def _address_space() -> int | None:
    """This process's mapped address space in bytes (Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _limit_address_space(extra_mb: int) -> None:
    """NOTE [memory limit]: ``RLIMIT_AS`` counts every mapping, shared libraries included, and a
    CUDA build of PyTorch maps gigabytes of them. So the limit is set relative to what is mapped
    now: ``extra_mb`` more than the current address space (an absolute ``extra_mb`` where the
    current size cannot be read)."""
    import resource

    base = _address_space() or 0
    limit = base + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class Worker:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {}
        self.filenames: set[str] = set()
        self.memory_mb: int | None = None

    def init(self, message: dict[str, Any]) -> dict[str, Any]:
        sys.path[:] = [p for p in message["sys_path"] if p] + [
            p for p in sys.path if p and p not in message["sys_path"]
        ]
        self.memory_mb = message.get("memory_mb")
        return {"ok": True}

    def load(self, message: dict[str, Any]) -> dict[str, Any]:
        spec = message["spec"]
        self.filenames = {unit["filename"] for unit in spec.get("units", [])}
        writer = CappedWriter()
        if self.memory_mb:
            _limit_address_space(_LOAD_FACTOR * self.memory_mb)
        sys.stdout = sys.stderr = writer
        try:
            self.namespace = loader.build_namespace(spec)
            if "module" in spec:
                module_file = getattr(sys.modules.get(spec["module"]), "__file__", None)
                self.filenames.add(str(module_file))
        except BaseException as error:
            return {
                "ok": False,
                "error": describe_error(error, self.filenames),
                "output": writer.getvalue(),
                "output_chars": writer.total,
            }
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        if self.memory_mb:
            _limit_address_space(self.memory_mb)
        found = {}
        for name in message["names"]:
            value = self.namespace.get(name)
            if callable(value):
                found[name] = _parameters(value)
        return {
            "ok": True,
            "found": found,
            "output": writer.getvalue(),
            "output_chars": writer.total,
        }

    def call(self, message: dict[str, Any]) -> dict[str, Any]:
        function = self.namespace[message["name"]]
        names, args, pristine = [], [], []
        for argument in message["args"]:
            names.append(argument["name"])
            if "array" in argument:
                original = decode_wire(argument["array"])
                pristine.append(original)
                args.append(original.copy())
            else:
                pristine.append(None)
                args.append(argument["number"])
        writer = CappedWriter()
        sys.stdout = sys.stderr = writer
        reply: dict[str, Any]
        start = time.perf_counter()
        try:
            result = function(*args)
            seconds = time.perf_counter() - start
            reply = {"status": "returned", "result": package(result)}
        except BaseException as error:
            seconds = time.perf_counter() - start
            reply = {"status": "raised", "error": describe_error(error, self.filenames)}
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        reply["modified"] = [
            name
            for name, original, given in zip(names, pristine, args, strict=True)
            if original is not None and not _unchanged(original, given)
        ]
        reply.update(seconds=seconds, output=writer.getvalue(), output_chars=writer.total)
        return reply


def _unchanged(original: np.ndarray, given: Any) -> bool:
    return (
        isinstance(given, np.ndarray)
        and given.shape == original.shape
        and given.dtype == original.dtype
        and bool(np.array_equal(given, original, equal_nan=True))
    )


def _parameters(function: Any) -> list[str] | None:
    import inspect

    try:
        return list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return None


def main() -> None:
    """Serve requests until the grader closes the channel."""
    channel_in, channel_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    worker = Worker()
    handlers = {"init": worker.init, "load": worker.load, "call": worker.call}
    while True:
        try:
            message = read_message(channel_in)
        except ChannelClosedError:
            return
        handler = handlers.get(message.get("op", ""))
        if handler is None:
            return
        write_message(channel_out, handler(message))
