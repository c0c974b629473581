"""The worker process: loads one submission and calls its functions on request (child side).

Started by :mod:`descentlab.grade.sandbox` as ``python -c`` with this module's :func:`main`. It
talks to the grader over its original stdin/stdout (see :mod:`.protocol`); file descriptors 0, 1
and 2 are then pointed at ``/dev/null`` so the learner's ``print``, ``input`` and C-level writes
cannot disturb the channel, and ``sys.stdout``/``sys.stderr`` become a capped in-memory buffer.

Requests: ``init`` (``sys.path``, memory limit), ``load`` (a :mod:`.loader` spec and the names to
look up), ``call`` (a function name and its arguments). Loading may map up to 4 × ``memory_mb``
more address space (imports), each call ``memory_mb`` more than the loaded submission had (NOTE
[memory limit]). Every call gets fresh copies of its array arguments, and the originals are
compared afterwards to catch in-place modification. What the learner's code prints, raises and
returns is made safe to send by :mod:`.capture`.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import numpy as np

from descentlab.grade import loader
from descentlab.grade.arrays import decode_wire
from descentlab.grade.capture import CappedWriter, describe_error, package
from descentlab.grade.protocol import ChannelClosedError, read_message, write_message

__all__ = ["main"]

_LOAD_FACTOR = 4


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
